// Builds the OpenAPI 3.1 document by walking the app's routes and the facts each one declares (facts.ts),
// with every error code (API_ERRORS and the domain REASONS) listed once on the Problem schema.
import { toJsonSchema } from "@valibot/to-json-schema";
import type { RouterRoute } from "hono/types";
import type * as v from "valibot";
import { REASONS, type ReasonCode } from "../../actors/kernel/reasons.ts";
import { API_ERRORS, type ApiErrorCode, type ProblemCode, REFUSAL_STATUS } from "../problem.ts";
import { Problem } from "../schemas/responses.ts";
import { WEBHOOK_EVENTS } from "../webhooks/rules.ts";
import { type DocumentedRoute, TAGS, walkRoutes } from "./facts.ts";

type Json = Record<string, unknown>;

/** The HTTP status each API-level code is answered with. */
export const API_ERROR_STATUS: Record<ApiErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  validation_failed: 400,
  destination_not_allowed: 400,
  malformed_json: 400,
  payload_too_large: 413,
  idempotency_key_required: 400,
  not_charged: 409,
  dispute_window_closed: 409,
  already_refunded: 409,
  dispute_open: 409,
  dispute_unknown: 404,
  dispute_decided: 409,
  refund_required: 422,
  refund_exceeds_charge: 422,
  webhook_unknown: 404,
  delivery_unknown: 404,
  pixel_unknown: 404,
  pixel_template_invalid: 400,
  pixel_token_unknown: 400,
  pixel_token_forbidden: 400,
  dead_letter_unknown: 404,
  number_unknown: 404,
  number_taken: 409,
  number_released: 409,
  dead_letter_replay_failed: 422,
  rate_limited: 429,
  auth_failures_limited: 429,
  key_inactive: 409,
  batch_item_repeated: 422,
  upstream_unavailable: 503,
  events_backlog_full: 503,
  carrier_signature_invalid: 403,
  receipt_pending: 409,
  receipt_unavailable: 409,
  dossier_pending: 409,
  dossier_legacy: 409,
  dossier_unavailable: 503,
  csrf_invalid: 403,
  internal_error: 500,
};

export function statusOf(code: ProblemCode): number {
  return (API_ERROR_STATUS as Record<string, number>)[code] ?? REFUSAL_STATUS[code as ReasonCode] ?? 422;
}

const jsonSchema = (schema: v.GenericSchema): Json => {
  const { $schema: _s, ...rest } = toJsonSchema(schema, {
    errorMode: "ignore",
    typeMode: "input",
    target: "draft-2020-12",
  }) as Json;
  return rest;
};

export function allCodes(): { code: ProblemCode; status: number; description: string; kind: string }[] {
  return [
    ...Object.entries(API_ERRORS).map(([code, description]) => ({ code, description, kind: "request" })),
    ...Object.entries(REASONS).map(([code, description]) => ({ code, description, kind: "refusal" })),
  ].map((c) => ({ ...c, code: c.code as ProblemCode, status: statusOf(c.code as ProblemCode) }));
}

function problemSchema(): Json {
  const codes = allCodes();
  const schema = jsonSchema(Problem) as { properties: Record<string, Json> };
  schema.properties.code = {
    type: "string",
    description: "Stable machine-readable error code; see `x-enum-descriptions`.",
    enum: codes.map((c) => c.code),
    "x-enum-descriptions": Object.fromEntries(codes.map((c) => [c.code, c.description])),
  };
  return { ...schema, description: "RFC 9457 problem details with a stable `code`." };
}

const problemRef = { $ref: "#/components/schemas/Problem" };

function codesOf(route: DocumentedRoute): ProblemCode[] {
  const codes = new Set<ProblemCode>(route.errors);
  // Whatever is validated may also go over a named limit (api/validate.ts).
  if (codes.has("validation_failed")) codes.add("limit_exceeded");
  if (route.access === "carrier")
    for (const c of ["carrier_signature_invalid", "auth_failures_limited"] as const) codes.add(c);
  else if (route.access !== "public")
    for (const c of ["unauthorized", "rate_limited", "auth_failures_limited"] as const) codes.add(c);
  if (route.access !== "public" && route.access !== "any" && route.access !== "carrier")
    codes.add("forbidden");
  codes.add("internal_error");
  return [...codes];
}

function operation(route: DocumentedRoute): Json {
  const parameters: Json[] = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string", maxLength: 200 },
  }));
  if (route.query) {
    const q = jsonSchema(route.query) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      parameters.push({ name, in: "query", required: q.required?.includes(name) ?? false, schema });
    }
  }
  if (route.idempotencyKey) {
    parameters.push({
      name: "Idempotency-Key",
      in: "header",
      required: route.idempotencyKey === "required",
      description: "Same key and body: the same answer. Same key, another body: 409 idempotency_conflict.",
      schema: { type: "string", minLength: 1, maxLength: 200 },
    });
  }
  const responses: Json = {};
  if (route.produces === "text/event-stream" && route.response) {
    responses[route.status] = {
      description: "A stream of Server-Sent Events; each event's `data` is JSON of the schema below",
      content: {
        "text/event-stream": {
          schema: { type: "string" },
          "x-event-data": jsonSchema(route.response),
        },
      },
    };
  } else if (route.produces) {
    responses[route.status] = {
      description: "OK",
      content: { [route.produces]: { schema: { type: "string" } } },
    };
  } else if (route.response === null) {
    responses[route.status] = {
      description: route.raw === "websocket" ? "Switching Protocols" : "No content",
    };
  } else {
    const content: Json = { "application/json": { schema: jsonSchema(route.response) } };
    if (route.csv) content["text/csv"] = { schema: { type: "string" } };
    responses[route.status] = { description: "OK", content };
  }
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codesOf(route))
    byStatus.set(statusOf(code), [...(byStatus.get(statusOf(code)) ?? []), code]);
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers =
      status === 429 || codes.includes("events_backlog_full")
        ? { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait" } }
        : undefined;
    responses[status] = {
      description: codes.map((c) => `\`${c}\``).join(", "),
      ...(headers ? { headers } : {}),
      content: { "application/problem+json": { schema: problemRef } },
    };
  }
  responses.default = {
    description: "Any other problem",
    content: { "application/problem+json": { schema: problemRef } },
  };
  const op: Json = {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/\{([^}]+)\}/g, "By-$1").replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : ""))}`,
    summary: route.summary,
    tags: [route.tag],
    "x-access": route.access,
    "x-error-codes": codesOf(route),
    parameters,
    responses,
  };
  if (route.access === "public" || route.access === "carrier") op.security = [];
  if (route.deprecated) {
    op.deprecated = true;
    op.description = `Deprecated: ${route.deprecated}.`;
  }
  if (route.body) {
    op.requestBody = { required: true, content: { "application/json": { schema: jsonSchema(route.body) } } };
  } else if (
    route.raw === "text/plain" ||
    route.raw === "text/csv" ||
    route.raw === "application/x-www-form-urlencoded"
  ) {
    op.requestBody = { required: true, content: { [route.raw]: { schema: { type: "string" } } } };
  }
  return op;
}

/** The document for an app's routes; throws when a route declares no OpenAPI facts. */
export function buildOpenApi(appRoutes: RouterRoute[]): Json {
  const { documented: routes, undocumented } = walkRoutes(appRoutes);
  if (undocumented.length > 0)
    throw new Error(`routes without OpenAPI facts (register doc({...}) on them): ${undocumented.join(", ")}`);
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Dependable Call Exchange partner API",
      version: "1.0.0",
      description:
        "Pay-per-call exchange. Authenticate with `Authorization: Bearer <api key>`. Money is integer micro-units (`…Micros`); errors are RFC 9457 `application/problem+json` with a stable `code`. Rate limits per key answer 429 with `Retry-After` and `RateLimit-*` headers.",
    },
    security: [{ apiKey: [] }],
    tags: TAGS.filter((t) => routes.some((r) => r.tag === t)).map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "dce_<role>_<prefix>_<secret>" },
      },
      schemas: { Problem: problemSchema() },
    },
    // Webhooks: what partners may subscribe to and how deliveries are signed.
    "x-webhook-events": WEBHOOK_EVENTS,
    "x-webhook-signature":
      'Each delivery is a POST of the event as JSON with `X-DCE-Event`, `X-DCE-Delivery` (dedupe on it: delivery is at least once), `X-DCE-Attempt` and `X-DCE-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the endpoint\'s secret>`. Reject a stale `t` (over 5 minutes). Answer 2xx within 5 s; anything else is retried with exponential backoff.',
    "x-error-codes": Object.fromEntries(
      allCodes().map((c) => [c.code, { status: c.status, kind: c.kind, description: c.description }]),
    ),
  };
}
