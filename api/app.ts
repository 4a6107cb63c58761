// createApp(deps): the partner API as one Hono app, one sub-app per resource.
import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { LIMITS, limitHit } from "../actors/kernel/limits.ts";
import { consoleApp } from "./console/app.tsx";
import { watchDeadLetters } from "./dead-letter-metrics.ts";
import type { ApiDeps } from "./deps.ts";
import { disputeRoutes } from "./disputes/routes.ts";
import { dossierRoutes } from "./dossiers/routes.ts";
import { requestMetrics } from "./metrics.ts";
import { apiKeyAuth, KeyResolver } from "./middleware/auth.ts";
import { declaredBodyLimit } from "./middleware/body-limit.ts";
import { idParams } from "./middleware/id-params.ts";
import { allowedMethods } from "./middleware/method-not-allowed.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { pixelRoutes } from "./pixels/routes.ts";
import { ApiError, problem } from "./problem.ts";
import { receiptRoutes } from "./receipts/routes.ts";
import { accountRoutes } from "./routes/accounts.ts";
import { apiKeyRoutes } from "./routes/api-keys.ts";
import { auctionFeedRoutes } from "./routes/auction-feed.ts";
import { auditRoutes } from "./routes/audit.ts";
import { callRoutes } from "./routes/calls.ts";
import { campaignBatchRoutes } from "./routes/campaign-batch.ts";
import { campaignRoutes } from "./routes/campaigns.ts";
import { complianceRoutes, dncImportRoutes } from "./routes/compliance.ts";
import { conversionRoutes } from "./routes/conversions.ts";
import { deadLetterRoutes } from "./routes/dead-letters.ts";
import { dncBatchRoutes } from "./routes/dnc-batch.ts";
import { docsRoutes } from "./routes/docs.ts";
import { fraudRoutes } from "./routes/fraud.ts";
import { fundsRoutes } from "./routes/funds.ts";
import { healthRoutes } from "./routes/health.ts";
import { liveRoutes } from "./routes/live.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { numberRoutes } from "./routes/numbers.ts";
import { recordingRoutes } from "./routes/recordings.ts";
import { reportRoutes } from "./routes/reports.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { watchSweep } from "./sweep-metrics.ts";
import { mediaRoutes } from "./telephony/media-routes.ts";
import { telephonyRoutes } from "./telephony/routes.ts";

export const MAX_BODY_BYTES = LIMITS["body.bytes"];

export function createApp(deps: ApiDeps) {
  const app = new Hono();
  const keys = new KeyResolver(deps);
  watchDeadLetters(deps.db);
  watchSweep(deps.redis, deps.now);

  app.use(async function requestContext(c, next) {
    const requestId = c.req.header("x-request-id")?.slice(0, 64) || randomUUID();
    c.set("requestId", requestId);
    c.set("logger", deps.logger.child({ requestId }));
    c.header("x-request-id", requestId);
    await next();
  });
  app.use(requestMetrics());

  // The browser console (api/console/): HTML pages, not partner operations, so it stays out of the
  // OpenAPI document; its pages call this very app in process with the session's key.
  const consolePages = consoleApp(deps, keys, (req, env) => app.fetch(req, env));
  app.all("/console", (c) => consolePages.fetch(c.req.raw, c.env));
  app.all("/console/*", (c) => consolePages.fetch(c.req.raw, c.env));
  app.route("/", healthRoutes(deps));
  app.route("/", docsRoutes(app)); // documents every route of `app`, walked at the first request
  app.route("/", metricsRoutes(keys));
  app.route("/v1", liveRoutes(deps, keys)); // before v1: a WebSocket may authenticate by subprotocol
  app.route("/v1", dncImportRoutes(deps, keys)); // before v1: streams DNC files past the 64 KB body limit
  app.route("/v1", telephonyRoutes(deps)); // before v1: a carrier's signature is its authentication
  app.route("/v1", mediaRoutes(deps)); // recording callbacks, whisper, press-1: signed the same way

  const v1 = new Hono();
  v1.use(
    declaredBodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError(413, "payload_too_large", `bodies are limited to ${MAX_BODY_BYTES} bytes`, {
          limit: limitHit("body.bytes"),
        });
      },
    }),
  );
  v1.use(apiKeyAuth(keys));
  v1.use(rateLimit(deps));
  v1.use(idParams());
  v1.route("/", accountRoutes(deps));
  v1.route("/", apiKeyRoutes(deps));
  v1.route("/", campaignRoutes(deps));
  v1.route("/", campaignBatchRoutes(deps));
  v1.route("/", numberRoutes(deps));
  v1.route("/", fundsRoutes(deps));
  v1.route("/", callRoutes(deps));
  v1.route("/", disputeRoutes(deps));
  v1.route("/", conversionRoutes(deps));
  v1.route("/", recordingRoutes(deps));
  v1.route("/", receiptRoutes(deps));
  v1.route("/", dossierRoutes(deps));
  v1.route("/", complianceRoutes(deps));
  v1.route("/", dncBatchRoutes(deps));
  v1.route("/", auditRoutes(deps));
  v1.route("/", fraudRoutes(deps));
  v1.route("/", reportRoutes(deps));
  v1.route("/", webhookRoutes(deps));
  v1.route("/", pixelRoutes(deps));
  v1.route("/", deadLetterRoutes(deps));
  v1.route("/", auctionFeedRoutes(deps));
  app.route("/v1", v1);

  app.notFound((c) => {
    const allow = allowedMethods(app.routes, c.req.path);
    if (allow.length > 0) {
      c.header("allow", allow.join(", "));
      return problem(c, new ApiError(405, "method_not_allowed", `${c.req.path} allows ${allow.join(", ")}`));
    }
    return problem(c, new ApiError(404, "route_not_found", `${c.req.method} ${c.req.path} is not a route`));
  });
  app.onError((err, c) => {
    if (err instanceof ApiError) return problem(c, err);
    if (isUnavailable(err)) {
      c.get("logger")?.warn({ err }, "api.backing_service_unavailable");
      return problem(c, new ApiError(503, "upstream_unavailable", "a backing service is unavailable; retry"));
    }
    c.get("logger")?.error({ err }, "api.unhandled_error");
    return problem(c, new ApiError(500, "internal_error"));
  });
  return app;
}

/** Connection failures to Redis or Postgres: the request may be retried, so answer 503, not 500. */
export function isUnavailable(err: unknown): boolean {
  const e = err as { message?: string; code?: string; name?: string };
  const codes = [
    "ECONNREFUSED",
    "ECONNRESET",
    "EPIPE",
    "ETIMEDOUT",
    "CONNECTION_CLOSED",
    "CONNECTION_ENDED",
    "CONNECT_TIMEOUT",
  ];
  return (
    (e?.code !== undefined && codes.includes(e.code)) ||
    e?.name === "MaxRetriesPerRequestError" ||
    /Connection is closed|Stream isn't writeable|connect ECONNREFUSED/.test(e?.message ?? "")
  );
}
