// The recording sweep (events app): every `intervalMs` the one replica holding the lease fetches the
// media of pending recordings again and deletes recordings past their retention, auditing each
// deletion. The lease only saves duplicate work: every write is conditional, safe to run twice.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Redis } from "../../../actors/platform/redis.ts";
import { type CaptureDeps, captureRecording } from "./capture.ts";
import { deleteExpired, duePending } from "./store.ts";

export const RECORDING_LEASE_KEY = "dce:recording-sweep:lease";
const BATCH = 50;

// Takes a free lease or renews our own; answers 1 when we hold it (as the stream trimmer's).
const LEASE = `
local cur = redis.call('GET', KEYS[1])
if cur == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
`;

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
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const ttl = String(intervalMs * 3);
  const tick = async () => {
    const held = (await redis.eval(LEASE, 1, RECORDING_LEASE_KEY, holder, ttl)) === 1;
    return held ? sweepRecordings(deps, now) : null;
  };
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    timer = setTimeout(async () => {
      await tick().catch((err: unknown) => deps.logger.warn({ err }, "recording.sweep_failed"));
      if (timer) loop();
    }, intervalMs);
    timer.unref();
  };
  loop();
  return {
    tick,
    stop: () => {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
