// A route's OpenAPI facts, declared where the route is registered: `app.post(path, doc({...}), handler)`.
// The middleware carries the facts for the generator (document.ts walks the app's routes) and puts them
// on the request context, where body() refuses to validate with any schema but the declared one.
import type { MiddlewareHandler } from "hono";
import type { H, RouterRoute } from "hono/types";
import { findTargetHandler } from "hono/utils/handler";
import type * as v from "valibot";
import type { ApiErrorCode, ProblemCode } from "../problem.ts";

type Schema = v.GenericSchema;
/** The document's tags, in the order the docs page shows them. */
export const TAGS = [
  "operations",
  "accounts",
  "campaigns",
  "ledger",
  "calls",
  "compliance",
  "audit",
  "reports",
  "webhooks",
  "telephony",
] as const;
export type Tag = (typeof TAGS)[number];
/**
 * Who may call: `public` needs no key; `any` any valid key (scoped to its own account inside);
 * `carrier` no key but the carrier's request signature (api/telephony/edge.ts).
 */
export type Access = "public" | "any" | "admin" | "buyer" | "seller" | "buyer-or-seller" | "carrier";

export interface RouteFacts {
  tag: Tag;
  summary: string;
  access: Access;
  /** The JSON body schema: the very object the handler gives body() (checked on every request). */
  body?: Schema;
  query?: Schema;
  /** The success status and its body (`null`: no body); `text/csv` alternatives are noted in `csv`. */
  status: 200 | 201 | 204 | 101;
  response: Schema | null;
  csv?: boolean;
  raw?: "text/plain" | "text/csv" | "text/html" | "websocket" | "application/x-www-form-urlencoded";
  /**
   * A non-JSON success body (the docs page, Prometheus text, TwiML); for `text/event-stream`,
   * `response` is the schema of each event's data.
   */
  produces?: "text/html" | "text/plain" | "application/xml" | "text/event-stream";
  idempotencyKey?: "required" | "optional";
  errors: ProblemCode[];
  /** Still served, but superseded: the text says by what. */
  deprecated?: string;
}

/** A registered operation with its facts; `path` in OpenAPI spelling (`/v1/buyers/{buyerId}`). */
export interface DocumentedRoute extends RouteFacts {
  method: string;
  path: string;
}

declare module "hono" {
  interface ContextVariableMap {
    routeFacts: RouteFacts;
  }
}

export const AUTH: ApiErrorCode[] = ["unauthorized", "forbidden"];
export const READ: ProblemCode[] = [...AUTH, "not_found", "upstream_unavailable"];
export const WRITE: ProblemCode[] = [
  ...AUTH,
  "validation_failed",
  "malformed_json",
  "payload_too_large",
  "upstream_unavailable",
];

const FACTS = Symbol("dce.openapi.facts");

/** The middleware that declares a route's facts; register it before the route's other handlers. */
export function describeRoute(facts: RouteFacts): MiddlewareHandler {
  const declare: MiddlewareHandler = async function openApiFacts(c, next) {
    c.set("routeFacts", facts);
    await next();
  };
  return Object.assign(declare, { [FACTS]: facts });
}

/** `const doc = tagged("calls")`, then `app.get(path, doc({...}), handler)` for each of a module's routes. */
export const tagged =
  (tag: Tag) =>
  (facts: Omit<RouteFacts, "tag">): MiddlewareHandler =>
    describeRoute({ tag, ...facts });

const factsOf = (handler: H): RouteFacts | undefined =>
  (findTargetHandler(handler) as { [FACTS]?: RouteFacts })[FACTS];

/** `/v1/buyers/:buyerId` → `/v1/buyers/{buyerId}`. */
export const openApiPath = (honoPath: string) => honoPath.replace(/:([^/{?]+)/g, "{$1}");

/**
 * Every operation the app registers (middleware and wildcards aside), with its facts: documented in tag
 * order, then registration order. `undocumented` lists the routes no handler declares facts for.
 */
export function walkRoutes(routes: RouterRoute[]): { documented: DocumentedRoute[]; undocumented: string[] } {
  const ops = new Map<string, RouteFacts | undefined>();
  for (const r of routes) {
    if (r.method === "ALL" || r.path.includes("*")) continue;
    const key = `${r.method} ${r.path}`;
    ops.set(key, ops.get(key) ?? factsOf(r.handler));
  }
  const documented: DocumentedRoute[] = [];
  const undocumented: string[] = [];
  for (const [key, facts] of ops) {
    const [method, path] = key.split(" ") as [string, string];
    if (facts) documented.push({ ...facts, method, path: openApiPath(path) });
    else undocumented.push(key);
  }
  documented.sort((a, b) => TAGS.indexOf(a.tag) - TAGS.indexOf(b.tag));
  return { documented, undocumented };
}
