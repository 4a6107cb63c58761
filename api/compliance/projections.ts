// What compliance reads from the event stream, in the writer's transaction: the caller hash of each
// call (for data-subject requests), fraud rejections and post-call fraud flags.
import { and, desc, eq, gte, inArray, lt, ne, sql } from "drizzle-orm";
import { postCallFlags } from "../../actors/compliance/post-call.ts";
import type { DomainEvent } from "../../actors/kernel/events.ts";
import type { ReasonCode } from "../../actors/kernel/reasons.ts";
import { callSubjects, fraudDecisions } from "../db/compliance-schema.ts";
import { calls, domainEvents } from "../db/schema.ts";
import type { Tx } from "../ledger/ledger.ts";

export const FRAUD_CODES: ReadonlySet<ReasonCode> = new Set([
  "attestation_too_low",
  "caller_blocked",
  "velocity_exceeded",
  "caller_mismatch",
  "anonymous_caller",
  "invalid_caller_number",
]);

const DAY_MS = 86_400_000;

/**
 * The keyed caller hash of every call offered in a batch, from call_subjects (written before the offer,
 * so no new event carries the hash and a late event cannot bring one back after an erasure): one
 * statement for the batch, not one per offer. Events from before call_subjects may carry the hash
 * themselves; those (none in a new deployment) are projected one by one, as they always were.
 */
export async function projectCallerHashes(tx: Tx, events: DomainEvent[]): Promise<void> {
  const offered = events.filter((e) => e.aggregate.type === "call" && e.type === "call.offered");
  if (offered.length === 0) return;
  await tx
    .update(calls)
    .set({
      callerHash: sql`(select ${callSubjects.callerHash} from ${callSubjects} where ${callSubjects.callId} = ${calls.callId})`,
    })
    .where(
      and(
        inArray(
          calls.callId,
          offered.map((e) => e.aggregate.id),
        ),
        sql`${calls.callerHash} is null`,
      ),
    );
  for (const e of offered) {
    const legacy = e.data.callerHash;
    if (typeof legacy !== "string") continue;
    await tx
      .update(calls)
      .set({ callerHash: legacy })
      .where(and(eq(calls.callId, e.aggregate.id), sql`${calls.callerHash} is null`));
  }
}

/** Fraud rejections and post-call flags of one event, in the writer's transaction. */
export async function projectCompliance(tx: Tx, e: DomainEvent): Promise<void> {
  if (e.aggregate.type !== "call") return;
  const d = e.data as Record<string, unknown>;
  const snapshot = d.snapshot as { sellerId?: string } | undefined;
  const reason = d.reason as { code?: string; detail?: string } | undefined;
  if (e.type === "call.rejected" && reason?.code && FRAUD_CODES.has(reason.code as ReasonCode)) {
    await recordDecision(tx, e, snapshot?.sellerId ?? "", "reject", reason.code, reason.detail ?? "");
  }
  if (e.type === "call.completed" && typeof d.durationSec === "number") {
    await flagCompletedCall(tx, e, snapshot?.sellerId ?? "", d.durationSec);
  }
}

async function flagCompletedCall(tx: Tx, e: DomainEvent, sellerId: string, durationSec: number) {
  const callId = e.aggregate.id;
  const since = new Date(Date.parse(e.occurredAt) - DAY_MS).toISOString();
  const [routed] = await tx
    .select({ min: sql<number | null>`(${domainEvents.data}->>'minDurationSec')::int` })
    .from(domainEvents)
    .where(
      and(eq(domainEvents.aggregateId, callId), inArray(domainEvents.type, ["call.routed", "call.rerouted"])),
    )
    .orderBy(desc(domainEvents.seq))
    .limit(1);
  const [call] = await tx
    .select({ callerHash: calls.callerHash })
    .from(calls)
    .where(eq(calls.callId, callId));
  const [near] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(fraudDecisions)
    .where(
      and(
        eq(fraudDecisions.sellerId, sellerId),
        eq(fraudDecisions.code, "duration_near_threshold"),
        gte(fraudDecisions.decidedAt, since),
        ne(fraudDecisions.callId, callId),
      ),
    );
  let short = 0;
  if (call?.callerHash && call.callerHash !== "erased") {
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(calls)
      .where(
        and(
          eq(calls.callerHash, call.callerHash),
          eq(calls.status, "completed"),
          lt(calls.durationSec, 10),
          gte(calls.offeredAt, since),
          ne(calls.callId, callId),
        ),
      );
    short = row?.n ?? 0;
  }
  const flags = postCallFlags({
    durationSec,
    minDurationSec: routed?.min ?? undefined,
    sellerNearThreshold24h: near?.n ?? 0,
    callerShortCalls24h: short,
  });
  for (const f of flags) await recordDecision(tx, e, sellerId, "flag", f.code, f.detail);
}

async function recordDecision(
  tx: Tx,
  e: DomainEvent,
  sellerId: string,
  kind: "reject" | "flag",
  code: string,
  detail: string,
) {
  const [call] = await tx
    .select({ callerHash: calls.callerHash })
    .from(calls)
    .where(eq(calls.callId, e.aggregate.id));
  await tx
    .insert(fraudDecisions)
    .values({
      callId: e.aggregate.id,
      sellerId,
      callerHash: call?.callerHash ?? null,
      kind,
      code,
      detail,
      data: { eventId: e.id },
      decidedAt: e.occurredAt,
    })
    .onConflictDoNothing();
}
