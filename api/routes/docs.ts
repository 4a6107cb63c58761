// The public API description: GET /openapi.json (generated from the route registry) and GET /docs.
import { Hono } from "hono";
import { renderDocs } from "../openapi/docs-page.ts";
import { buildOpenApi } from "../openapi/document.ts";

export function docsRoutes() {
  const app = new Hono();
  const doc = buildOpenApi();
  const json = JSON.stringify(doc);
  const html = renderDocs(doc);
  app.get("/openapi.json", (c) => c.body(json, 200, { "content-type": "application/json" }));
  app.get("/docs", (c) => c.html(html));
  return app;
}
