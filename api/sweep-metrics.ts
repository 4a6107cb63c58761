// Holds that should have ended: calls on the sweep set whose visit is overdue by more than a minute,
// read from Redis at scrape time. Healthy is 0; a rising count means no actor host is sweeping.
import { Gauge } from "prom-client";
import { SWEEP_SET } from "../actors/call/sweeper.ts";
import type { Redis } from "../actors/platform/redis.ts";
import { registry } from "./metrics.ts";
import { scrapeRead } from "./scrape-read.ts";

/** How late a sweep entry may be before it counts as overdue: the sweeper visits every second. */
export const OVERDUE_AFTER_MS = 60_000;
/** A scrape waits this long for Redis; /metrics must answer while Redis does not. */
const READ_MS = 1_000;

let source: { redis: Redis; now: () => number } | undefined;

/** One read of the sweep set per scrape, bounded; stale (readable 0) while Redis does not answer. */
const refresh = scrapeRead(
  async () => (source ? source.redis.zcount(SWEEP_SET, "-inf", source.now() - OVERDUE_AFTER_MS) : null),
  READ_MS,
  (n) => {
    if (n === undefined) {
      sweepReadable.set(0); // Redis away or stalled: the last count stays, marked stale
      return;
    }
    overdueHolds.set(n);
    sweepReadable.set(1);
  },
);

/** `dce_call_sweep_overdue` > 0 for minutes is the alert: holds and routing expiries are not ending. */
export const overdueHolds = new Gauge({
  name: "dce_call_sweep_overdue",
  help: "Calls whose sweep (routing expiry, maximum call duration, saga recovery) is more than a minute overdue",
  registers: [registry],
  collect: refresh,
});

const sweepReadable = new Gauge({
  name: "dce_call_sweep_readable",
  help: "1 when the last scrape could read the sweep set, 0 when Redis did not answer in time",
  registers: [registry],
  collect: refresh,
});

/** The Redis the gauge reads (the API's own client) and the clock it compares with. */
export function watchSweep(redis: Redis, now: () => number): void {
  source = { redis, now };
}
