// Path ids are checked for their shape before any actor or query sees them: a malformed id is simply
// an unknown resource (404), never a sidecar error (503) or an invalid response header (500).
import type { MiddlewareHandler } from "hono";
import { isId } from "../../actors/kernel/ids.ts";
import { ApiError, type ProblemCode } from "../problem.ts";

const RULES: { at: RegExp; ok: (id: string) => boolean; code: ProblemCode }[] = [
  {
    at: /^\/v1\/(?:buyers|sellers)\/[^/]+\/campaigns\/[^/]+\/pixels\/[^/]+\/deliveries\/([^/]+)/,
    ok: (id) => isId(id, "whd"),
    code: "delivery_unknown",
  },
  {
    at: /^\/v1\/(?:buyers|sellers)\/[^/]+\/campaigns\/[^/]+\/pixels\/([^/]+)/,
    ok: (id) => isId(id, "pxl"),
    code: "pixel_unknown",
  },
  // `campaigns/batch` is the batch route (api/routes/campaign-batch.ts), not a campaign id.
  {
    at: /^\/v1\/buyers\/[^/]+\/campaigns\/(?!batch$)([^/]+)/,
    ok: (id) => isId(id, "bcp"),
    code: "campaign_unknown",
  },
  {
    at: /^\/v1\/sellers\/[^/]+\/campaigns\/(?!batch$)([^/]+)/,
    ok: (id) => isId(id, "scp"),
    code: "seller_campaign_unknown",
  },
  { at: /^\/v1\/buyers\/([^/]+)/, ok: (id) => isId(id, "byr"), code: "buyer_unknown" },
  { at: /^\/v1\/sellers\/([^/]+)/, ok: (id) => isId(id, "sel"), code: "seller_unknown" },
  {
    at: /^\/v1\/webhooks\/[^/]+\/deliveries\/([^/]+)/,
    ok: (id) => isId(id, "whd"),
    code: "delivery_unknown",
  },
  { at: /^\/v1\/webhooks\/([^/]+)/, ok: (id) => isId(id, "wh"), code: "webhook_unknown" },
  { at: /^\/v1\/api-keys\/([^/]+)/, ok: (id) => isId(id, "key"), code: "not_found" },
  { at: /^\/v1\/calls\/([^/]+)/, ok: (id) => isId(id, "call"), code: "call_unknown" },
  {
    at: /^\/v1\/admin\/dead-letters\/([^/]+)/,
    ok: (id) => isId(id, "dlq"),
    code: "dead_letter_unknown",
  },
  {
    at: /^\/v1\/statements\/([^/]+)/,
    ok: (id) => isId(id, "byr") || isId(id, "sel") || id === "cash" || id === "revenue",
    code: "not_found",
  },
];

export function idParams(): MiddlewareHandler {
  return async function idParams(c, next) {
    for (const rule of RULES) {
      const m = rule.at.exec(c.req.path);
      if (m && !rule.ok(decodeURIComponent(m[1]!))) throw new ApiError(404, rule.code, "no such resource");
    }
    await next();
  };
}
