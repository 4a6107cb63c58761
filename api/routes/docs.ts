// The public API description: GET /openapi.json (generated from the app's routes and the facts each
// declares) and GET /docs, built once at the first request, when every route is registered.
import { Hono } from "hono";
import type { RouterRoute } from "hono/types";
import { renderDocs } from "../openapi/docs-page.ts";
import { buildOpenApi } from "../openapi/document.ts";
import { tagged } from "../openapi/facts.ts";
import * as R from "../schemas/responses.ts";

/** `whole`: the app whose routes (all registered by the first request) the document describes. */
export function docsRoutes(whole: { routes: RouterRoute[] }) {
  const app = new Hono();
  const doc = tagged("operations");
  let built: { json: string; html: string } | undefined;
  const document = () => {
    if (!built) {
      const openApi = buildOpenApi(whole.routes);
      built = { json: JSON.stringify(openApi), html: renderDocs(openApi) };
    }
    return built;
  };
  app.get(
    "/openapi.json",
    doc({
      summary: "This OpenAPI 3.1 document",
      access: "public",
      status: 200,
      response: R.Loose,
      errors: [],
    }),
    (c) => c.body(document().json, 200, { "content-type": "application/json" }),
  );
  app.get(
    "/docs",
    doc({
      summary: "The API reference as an HTML page",
      access: "public",
      status: 200,
      response: null,
      produces: "text/html",
      errors: [],
    }),
    (c) => c.html(document().html),
  );
  return app;
}
