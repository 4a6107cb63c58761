// The API's view of the domain-events backlog, sampled every `pollMs`: exported as Prometheus gauges,
// reported by /ready (degraded past the lag threshold) and used to refuse new offers past the bound,
// so an outage of the events app or Postgres slows the exchange down instead of losing events.
import { Gauge } from "prom-client";
import type { StreamGuards } from "../../actors/platform/config.ts";
import type { Logger } from "../../actors/platform/logger.ts";
import type { Redis } from "../../actors/platform/redis.ts";
import { registry } from "../metrics.ts";
import { readBacklog, type StreamBacklog } from "./backlog.ts";

export interface StreamStatus {
  /** The last sample, or null before the first one (or while Redis does not answer). */
  sample: StreamBacklog | null;
  sampledAtMs: number | null;
}

export interface StreamMonitor {
  readonly guards: StreamGuards;
  status(): StreamStatus;
  /** Refuse new offers: the last sample's backlog is past the configured bound. */
  overBound(): boolean;
  /** /ready's degraded signal: the backlog is past the lag threshold. */
  degraded(): boolean;
  /** Samples now (the loop calls it; tests too). */
  sample(): Promise<StreamStatus>;
  stop(): void;
}

const length = new Gauge({
  name: "dce_events_stream_length",
  help: "Entries in the domain-events stream (acknowledged ones stay until the events app trims them)",
  labelNames: ["stream"] as const,
  registers: [registry],
});
const pending = new Gauge({
  name: "dce_events_stream_pending",
  help: "Entries delivered to a consumer group and not yet acknowledged",
  labelNames: ["stream", "group"] as const,
  registers: [registry],
});
const lag = new Gauge({
  name: "dce_events_stream_lag",
  help: "Entries not yet delivered to a consumer group (consumer lag)",
  labelNames: ["stream", "group"] as const,
  registers: [registry],
});
const backlog = new Gauge({
  name: "dce_events_stream_backlog",
  help: "Unacknowledged entries (pending + lag) of the furthest-behind group; offers are refused past DCE_STREAM_BACKLOG_MAX",
  labelNames: ["stream"] as const,
  registers: [registry],
});

function publish(stream: string, s: StreamBacklog): void {
  length.set({ stream }, s.length);
  backlog.set({ stream }, s.backlog);
  for (const g of s.groups) {
    pending.set({ stream, group: g.group }, g.pending);
    lag.set({ stream, group: g.group }, g.lag);
  }
}

export function streamMonitor(
  redis: Redis,
  logger: Logger,
  streamKey: string,
  guards: StreamGuards,
  now: () => number = Date.now,
): StreamMonitor {
  let status: StreamStatus = { sample: null, sampledAtMs: null };
  let over = false;
  const sample = async () => {
    try {
      const s = await readBacklog(redis, streamKey);
      status = { sample: s, sampledAtMs: now() };
      publish(streamKey, s);
      const nowOver = guards.backlogMax > 0 && s.backlog > guards.backlogMax;
      if (nowOver !== over) {
        logger[nowOver ? "warn" : "info"](
          { stream: streamKey, backlog: s.backlog, bound: guards.backlogMax },
          nowOver ? "stream.backpressure_on" : "stream.backpressure_off",
        );
      }
      over = nowOver;
    } catch (err) {
      // Unknown is not over the bound: with Redis down the offer fails on its own anyway.
      status = { sample: null, sampledAtMs: status.sampledAtMs };
      over = false;
      logger.debug({ err }, "stream.sample_failed");
    }
    return status;
  };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const loop = () => {
    if (stopped) return;
    timer = setTimeout(() => void sample().then(loop), guards.pollMs);
    timer.unref();
  };
  void sample().then(loop);
  return {
    guards,
    status: () => status,
    overBound: () => over,
    degraded: () => guards.readyLagMax > 0 && (status.sample?.backlog ?? 0) > guards.readyLagMax,
    sample,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
