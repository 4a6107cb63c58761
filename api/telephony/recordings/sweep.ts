// The recording sweep (events app): every `intervalMs` the one replica holding the lease fetches the
// media of pending recordings again and deletes recordings past their retention, auditing each
// deletion. The lease only saves duplicate work: every write is conditional, safe to run twice.
import { leasedLoop } from "../../../actors/platform/leased-loop.ts";
import type { Redis } from "../../../actors/platform/redis.ts";
import { type CaptureDeps, captureRecording } from "./capture.ts";
import { deleteExpired, duePending } from "./store.ts";

export const RECORDING_LEASE_KEY = "dce:recording-sweep:lease";
const BATCH = 50;

/** One round without the lease: what a test or an operator runs. Answers what it did. */
export async function sweepRecordings(deps: CaptureDeps, now: () => number) {
  let stored = 0;
  const pending = await duePending(deps.db, now(), BATCH);
  for (const row of pending) if ((await captureRecording(deps, row, now)) === "stored") stored++;
  const deleted = await deleteExpired(deps.db, now(), BATCH);
  if (stored + deleted > 0) deps.logger.info({ stored, deleted }, "recording.swept");
  return { retried: pending.length, stored, deleted };
}

export interface RecordingSweeper {
  tick(): Promise<Awaited<ReturnType<typeof sweepRecordings>> | null>;
  stop(): void;
}

export function recordingSweeper(
  redis: Redis,
  deps: CaptureDeps,
  intervalMs: number,
  now: () => number = Date.now,
): RecordingSweeper {
  return leasedLoop(
    redis,
    RECORDING_LEASE_KEY,
    intervalMs,
    () => sweepRecordings(deps, now),
    (err) => deps.logger.warn({ err }, "recording.sweep_failed"),
  );
}
