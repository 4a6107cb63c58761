// Liveness and readiness: /health says the process runs; /ready checks every backing service.
import { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { tagged } from "../openapi/facts.ts";
import * as R from "../schemas/responses.ts";

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
    summary: "Readiness of the sidecar, Redis and Postgres (503 when one is down)",
    access: "public",
    status: 200,
    response: R.Ready,
    errors: [],
  });
  app.get("/ready", readyDoc, async (c) => {
    const checks: Record<string, boolean> = {};
    await Promise.all(
      Object.entries(deps.probes).map(async ([name, probe]) => {
        checks[name] = await probe().catch(() => false);
      }),
    );
    const ready = Object.values(checks).every(Boolean);
    return c.json({ status: ready ? "ready" : "not_ready", checks }, ready ? 200 : 503);
  });
  return app;
}
