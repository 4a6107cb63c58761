// The offer's undo steps as data: each step that needs undoing (a capped seller campaign's slot, a
// buyer's reservation) pushes its compensation before it happens, into a journal in Redis (one round
// trip, no sidecar crossing). On a failure the list runs in reverse at once; a crash mid-way is finished
// by the routing sweeper, which visits every offer in flight (sweeper.ts). After the call's save the
// journal goes.
import type { Redis } from "../platform/redis.ts";
import { SWEEP_SET } from "./sweeper.ts";

export type Compensation =
  | { kind: "buyer.release"; buyerId: string; callId: string }
  | { kind: "seller.release"; sellerId: string; campaignId: string; callId: string };

/** What a compensation undoes: the same hold twice in a journal is undone once. */
const holdOf = (c: Compensation) =>
  c.kind === "buyer.release" ? `buyer:${c.buyerId}` : `seller:${c.sellerId}`;

/** The journal of an offer (or re-route) in flight, a Redis list of JSON compensations. */
export const sagaKey = (callId: string) => `dce:call-saga:${callId}`;
/** A crash leaves the journal for the sweeper, which visits the call this long after the step. */
export const SAGA_RECOVERY_MS = 30_000;
const JOURNAL_TTL_SEC = 7 * 24 * 3600;

/** Records `step` before it is taken, and makes sure the sweeper visits the call if nothing else does. */
export async function pushCompensation(redis: Redis, step: Compensation, nowMs: number): Promise<void> {
  await redis
    .multi()
    .rpush(sagaKey(step.callId), JSON.stringify(step))
    .expire(sagaKey(step.callId), JOURNAL_TTL_SEC)
    .zadd(SWEEP_SET, "LT", nowMs + SAGA_RECOVERY_MS, step.callId)
    .exec();
}

export async function journal(redis: Redis, callId: string): Promise<Compensation[]> {
  return (await redis.lrange(sagaKey(callId), 0, -1)).map((s) => JSON.parse(s) as Compensation);
}

/**
 * Runs compensations in reverse order of their steps, each once (a buyer twice in the list is released
 * once); every one is tried even if one before it fails. Returns those that failed (still due).
 */
export async function compensate(
  steps: Compensation[],
  keep: (c: Compensation) => boolean,
  run: (c: Compensation) => Promise<void>,
): Promise<Compensation[]> {
  const seen = new Set<string>();
  const failed: Compensation[] = [];
  for (const c of [...steps].reverse()) {
    const id = holdOf(c);
    if (seen.has(id) || keep(c)) continue;
    seen.add(id);
    try {
      await run(c);
    } catch {
      failed.push(c);
    }
  }
  return failed;
}
