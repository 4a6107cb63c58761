// Real counters of the work an offer causes: every daprd's Prometheus metrics (requests apps make to
// their sidecars, sidecar-to-app deliveries, sidecar-to-sidecar calls, app health probes) and the
// stack Redis's INFO (commands processed, by command). Read before and after a run; divided per offer.
import { join } from "node:path";
import { Redis } from "ioredis";
import { ROOT } from "../../api/e2e/stack.ts";
import { readRunFile } from "../stack/plan.ts";
import { PORTS } from "../stack/services.ts";

export interface Counters {
  /** Requests apps made to their own daprd (HTTP API, plus gRPC API calls that are not sidecar-internal). */
  appToSidecar: number;
  /** Requests a daprd made to its app (actor turns, pub/sub deliveries, reminders). */
  sidecarToApp: number;
  /** Calls between sidecars (actor invocations forwarded to the host daprd). */
  sidecarToSidecar: number;
  /** daprd → app requests by app id (the events app's count shows the pub/sub batch size). */
  sidecarToAppByApp: Record<string, number>;
  /** App health probes daprd sent, and those that did not answer 200 in time. */
  healthProbes: number;
  healthProbeFailures: number;
  redisCommands: number;
  redisByCommand: Record<string, number>;
}

/** Sums the samples of `family` in a Prometheus text exposition whose labels pass `keep`. */
export function sumFamily(
  text: string,
  family: string,
  keep: (labels: string) => boolean = () => true,
): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(family)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== family) continue;
    if (keep(m[2] ?? "")) total += Number(m[3]);
  }
  return total;
}

/** Command counts from Redis's INFO commandstats (cmdstat_get:calls=12,... lines). */
export function parseCommandStats(info: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

const metricsPorts = () => readRunFile(join(ROOT, "dapr.yaml")).map((a) => a.metricsPort);
const internal = (labels: string) => labels.includes("dapr.proto.internals");

export async function readCounters(): Promise<Counters> {
  const c: Counters = {
    appToSidecar: 0,
    sidecarToApp: 0,
    sidecarToSidecar: 0,
    sidecarToAppByApp: {},
    healthProbes: 0,
    healthProbeFailures: 0,
    redisCommands: 0,
    redisByCommand: {},
  };
  for (const port of metricsPorts()) {
    const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
    c.appToSidecar += sumFamily(text, "dapr_http_server_request_count");
    c.appToSidecar += sumFamily(text, "dapr_grpc_io_server_completed_rpcs", (l) => !internal(l));
    const toApp = sumFamily(text, "dapr_http_client_completed_count");
    c.sidecarToApp += toApp;
    const appId = /app_id="([^"]+)"/.exec(text)?.[1] ?? String(port);
    c.sidecarToAppByApp[appId] = (c.sidecarToAppByApp[appId] ?? 0) + toApp;
    c.sidecarToSidecar += sumFamily(text, "dapr_grpc_io_client_completed_rpcs", internal);
    c.healthProbes += sumFamily(text, "dapr_http_healthprobes_completed_count");
    c.healthProbeFailures += sumFamily(
      text,
      "dapr_http_healthprobes_completed_count",
      (l) => !l.includes('status="200"'),
    );
  }
  const redis = new Redis({ port: PORTS.redis, host: "127.0.0.1", lazyConnect: true });
  try {
    await redis.connect();
    c.redisByCommand = parseCommandStats(await redis.info("commandstats"));
    c.redisCommands = Object.values(c.redisByCommand).reduce((a, b) => a + b, 0);
  } finally {
    redis.disconnect();
  }
  return c;
}

/** Counter deltas per offer, plus every request that crossed a sidecar and the five commands run most. */
export type PerOffer = Omit<Counters, "redisByCommand"> & {
  sidecarRequests: number;
  redisTop: Record<string, number>;
};

const r2 = (x: number) => Math.round(x * 100) / 100;

/** Counter deltas per offer; sidecarRequests is every request that crossed a sidecar, summed over daprd's. */
export function countersPerOffer(before: Counters, after: Counters, offers: number): PerOffer {
  type Key = "appToSidecar" | "sidecarToApp" | "sidecarToSidecar" | "healthProbes" | "healthProbeFailures";
  const d = (k: Key | "redisCommands") => r2((after[k] - before[k]) / Math.max(1, offers));
  const byCmd = Object.entries(after.redisByCommand)
    .map(([k, v]) => [k, (v - (before.redisByCommand[k] ?? 0)) / Math.max(1, offers)] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5);
  return {
    sidecarRequests: r2(d("appToSidecar") + d("sidecarToApp") + d("sidecarToSidecar")),
    appToSidecar: d("appToSidecar"),
    sidecarToApp: d("sidecarToApp"),
    sidecarToSidecar: d("sidecarToSidecar"),
    sidecarToAppByApp: Object.fromEntries(
      Object.entries(after.sidecarToAppByApp).map(([k, v]) => [
        k,
        r2((v - (before.sidecarToAppByApp[k] ?? 0)) / Math.max(1, offers)),
      ]),
    ),
    healthProbes: d("healthProbes"),
    healthProbeFailures: d("healthProbeFailures"),
    redisCommands: d("redisCommands"),
    redisTop: Object.fromEntries(byCmd.map(([k, v]) => [k, r2(v)])),
  };
}
