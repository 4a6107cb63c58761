// Between two bench stages: wait until the calls the earlier stages routed have expired (the bench
// market's routings last 5 s; the sweeper then ends each: CallActor.sweep, BuyerActor.release, their
// events) and the events pipeline has recorded everything. Without it, each stage ran while the
// sweeper expired the previous stage's calls, so "one offer alone" was measured beside a few hundred
// expiries, and the open loop at half the peak rate carried them on top of its own offers.
// What the settling cost (CPU ms per call it expired) is reported too: work that is not an offer's.
import type { Redis } from "ioredis";
import { SWEEP_SET } from "../../actors/call/sweeper.ts";
import { readBacklog } from "../../api/stream/backlog.ts";
import { cpuMs } from "./cpu.ts";

export interface Settled {
  waitedMs: number;
  /** Sweep-set entries (calls holding a buyer, or a journalled step) due when the wait began. */
  expired: number;
  /**
   * CPU ms of every stack process during the wait, per call expired (null when none were): an upper
   * bound, as the stack's idle background work during the wait is in it too.
   */
  cpuMsPerExpiry: number | null;
  /** False when the wait gave up at its bound (the next stage then runs beside the rest). */
  settled: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const total = (cpu: Record<string, number>) => Object.values(cpu).reduce((a, b) => a + b, 0);

/**
 * Waits until nothing in the sweep set is due within `horizonMs` and the events stream has no backlog,
 * then `quietMs` more (the last expiries' publishes and writes), at most `maxMs`.
 */
export async function settle(
  redis: Redis,
  stream: string,
  opts: {
    horizonMs?: number;
    quietMs?: number;
    maxMs?: number;
    sweepSet?: string;
    /** CPU ms so far per process (the running stack's, from /proc). */
    cpu?: () => Record<string, number>;
  } = {},
): Promise<Settled> {
  const { horizonMs = 60_000, quietMs = 500, maxMs = 60_000, sweepSet = SWEEP_SET, cpu = cpuMs } = opts;
  const started = Date.now();
  const before = cpu();
  const expired = await redis.zcount(sweepSet, "-inf", started + horizonMs);
  let settled = false;
  while (Date.now() - started < maxMs) {
    const due = await redis.zcount(sweepSet, "-inf", Date.now() + horizonMs);
    const { backlog } = await readBacklog(redis, stream);
    if (due === 0 && backlog === 0) {
      settled = true;
      break;
    }
    await sleep(250);
  }
  await sleep(quietMs);
  const spent = total(cpu()) - total(before);
  return {
    waitedMs: Date.now() - started,
    expired,
    cpuMsPerExpiry: expired > 0 ? Math.round((spent / expired) * 100) / 100 : null,
    settled,
  };
}
