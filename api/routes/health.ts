// Liveness and readiness: /health says the process runs; /ready checks every backing service.
import { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";

export function healthRoutes(deps: ApiDeps) {
  const app = new Hono();
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get("/ready", async (c) => {
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
