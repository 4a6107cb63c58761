// GET /metrics: Prometheus text format, public like /health (scrapers carry no API key); on the API port.
import { Hono } from "hono";
import { registry } from "../metrics.ts";

export function metricsRoutes() {
  const app = new Hono();
  app.get("/metrics", async (c) =>
    c.body(await registry.metrics(), 200, { "content-type": registry.contentType }),
  );
  return app;
}
