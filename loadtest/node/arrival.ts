// Open-model arrivals like k6's arrival-rate executors: when each iteration starts (from the executor's
// rate curve, regardless of responses), and a loop that starts them, up to maxVUs in flight, dropping
// the rest.

import { parseDuration } from "../duration.ts";
import type { Executor } from "../scenarios.ts";

/** A stretch of the run over which the rate moves linearly from `from` to `to` (iterations per ms). */
interface Segment {
  startMs: number;
  durationMs: number;
  from: number;
  to: number;
}

function segments(e: Executor): Segment[] {
  const unit = parseDuration(e.timeUnit);
  if (e.executor === "constant-arrival-rate") {
    const r = e.rate / unit;
    return [{ startMs: 0, durationMs: parseDuration(e.duration), from: r, to: r }];
  }
  const out: Segment[] = [];
  let startMs = 0;
  let from = e.startRate / unit;
  for (const st of e.stages) {
    const durationMs = parseDuration(st.duration);
    const to = st.target / unit;
    out.push({ startMs, durationMs, from, to });
    startMs += durationMs;
    from = to;
  }
  return out;
}

export function scheduleMs(e: Executor): number {
  return segments(e).reduce((end, s) => Math.max(end, s.startMs + s.durationMs), 0);
}

/**
 * Iteration n starts when the integral of the rate reaches n (so iteration 0 starts at 0). Within a
 * linear segment the integral is quadratic; t = 2x / (a + sqrt(a² + 2kx)) inverts it without
 * cancellation, also when the rate is constant (k = 0).
 */
export function* arrivalOffsets(e: Executor): Generator<number> {
  let n = 0;
  let base = 0;
  for (const s of segments(e)) {
    if (s.durationMs <= 0) continue;
    const count = ((s.from + s.to) / 2) * s.durationMs;
    const k = (s.to - s.from) / s.durationMs;
    while (n - base < count - 1e-9) {
      const x = n - base;
      const denom = s.from + Math.sqrt(Math.max(0, s.from * s.from + 2 * k * x));
      yield s.startMs + (denom > 0 ? (2 * x) / denom : 0);
      n++;
    }
    base += count;
  }
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface ArrivalStats {
  started: number;
  dropped: number;
  maxInFlight: number;
}

/**
 * Starts `iterate(i)` at each offset without waiting for earlier ones (an open model); when maxVUs
 * iterations are already in flight the arrival is dropped and counted, as k6's dropped_iterations.
 * Resolves when the schedule is done and every started iteration has finished.
 */
export async function runArrivals(opts: {
  offsets: Iterable<number>;
  maxVUs: number;
  iterate: (i: number) => Promise<void>;
  clock?: Clock;
  /** Updated as the run goes (progress reports read it); returned at the end. */
  stats?: ArrivalStats;
}): Promise<ArrivalStats> {
  const clock = opts.clock ?? realClock;
  const stats = opts.stats ?? { started: 0, dropped: 0, maxInFlight: 0 };
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const start = clock.now();
  let i = 0;
  for (const offset of opts.offsets) {
    const wait = start + offset - clock.now();
    if (wait >= 1) await clock.sleep(wait);
    const n = i++;
    if (inFlight >= opts.maxVUs) {
      stats.dropped++;
      continue;
    }
    inFlight++;
    stats.started++;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    opts
      .iterate(n)
      .catch(() => {})
      .finally(() => {
        inFlight--;
        if (inFlight === 0) drained?.();
      });
  }
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  return stats;
}
