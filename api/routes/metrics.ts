// GET /metrics: Prometheus text format, for an admin key only (request rates, auction outcomes and
// latencies tell a competitor how the exchange is doing); scrapers send `Authorization: Bearer <admin>`.
import { Hono } from "hono";
import { registry } from "../metrics.ts";
import { assertAdmin, bearer, type KeyResolver } from "../middleware/auth.ts";
import { tagged } from "../openapi/facts.ts";

export function metricsRoutes(keys: KeyResolver) {
  const app = new Hono();
  const doc = tagged("operations");
  const metricsDoc = doc({
    summary: "Prometheus metrics (an admin key: `Authorization: Bearer <admin key>`)",
    access: "admin",
    status: 200,
    response: null,
    produces: "text/plain",
    errors: [],
  });
  app.get("/metrics", metricsDoc, async (c) => {
    assertAdmin(await keys.resolve(c, bearer(c.req.header("authorization"))));
    return c.body(await registry.metrics(), 200, { "content-type": registry.contentType });
  });
  return app;
}
