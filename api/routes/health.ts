// Liveness and readiness: /health says the process runs; /ready checks every backing service.
import { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { tagged } from "../openapi/facts.ts";
import * as R from "../schemas/responses.ts";
import type { StreamMonitor } from "../stream/monitor.ts";

function streamReport(monitor: StreamMonitor) {
  const { guards } = monitor;
  const sample = monitor.status().sample;
  return {
    backlog: sample?.backlog ?? null,
    lagThreshold: guards.readyLagMax,
    backlogBound: guards.backlogMax,
    offersRefused: monitor.overBound(),
    groups: (sample?.groups ?? []).map(({ group, pending, lag }) => ({ group, pending, lag })),
  };
}

/** A backing service that has not answered by then counts as down: a stalled Postgres (or a frozen
 * sidecar) must not hang the readiness probe, which then times out with no answer at all. */
export const PROBE_TIMEOUT_MS = 2_000;

async function probed(probe: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => {
    timer = setTimeout(() => r(false), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([probe().catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("operations");
  const healthDoc = doc({
    summary: "Liveness",
    access: "public",
    status: 200,
    response: R.Health,
    errors: [],
  });
  app.get("/health", healthDoc, (c) => c.json({ status: "ok" }));
  const readyDoc = doc({
    summary:
      "Readiness of the sidecar, Redis and Postgres (503 when one is down); `degraded` while events lag",
    access: "public",
    status: 200,
    response: R.Ready,
    errors: [],
  });
  app.get("/ready", readyDoc, async (c) => {
    const checks: Record<string, boolean> = {};
    await Promise.all(
      Object.entries(deps.probes).map(async ([name, probe]) => {
        checks[name] = await probed(probe);
      }),
    );
    const ready = Object.values(checks).every(Boolean);
    // A lagging stream is degraded, not unready: a 503 would pull every API replica out of service
    // at once, and lifecycle events must keep flowing so calls in flight can settle.
    const stream = deps.stream && streamReport(deps.stream);
    const extra = stream ? { degraded: deps.stream?.degraded() ?? false, stream } : {};
    return c.json({ status: ready ? "ready" : "not_ready", checks, ...extra }, ready ? 200 : 503);
  });
  return app;
}
