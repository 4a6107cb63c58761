// Fraud decisions: offer rejections and post-call flags, by call or seller (sellers see their own).
import { and, desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { fraudDecisions } from "../db/compliance-schema.ts";
import type { ApiDeps } from "../deps.ts";
import { READ, tagged } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import { FraudQuery } from "../schemas/compliance.ts";
import * as R from "../schemas/responses.ts";
import { query } from "../validate.ts";

export function fraudRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("audit");

  const fraudDecisionsDoc = doc({
    summary: "Fraud decisions by call or seller",
    access: "buyer-or-seller",
    query: FraudQuery,
    status: 200,
    response: R.List,
    errors: [...READ, "validation_failed"],
  });
  app.get("/fraud/decisions", fraudDecisionsDoc, async (c) => {
    const principal = c.get("principal");
    const q = query(c, FraudQuery);
    if (principal.role === "buyer")
      throw new ApiError(403, "forbidden", "fraud decisions are for sellers and admins");
    const sellerId = principal.role === "seller" ? principal.accountId : q.sellerId;
    if (principal.role === "admin" && !q.callId && !q.sellerId) {
      throw new ApiError(400, "validation_failed", "give callId or sellerId");
    }
    const filters = [];
    if (sellerId) filters.push(eq(fraudDecisions.sellerId, sellerId));
    if (q.callId) filters.push(eq(fraudDecisions.callId, q.callId));
    if (q.kind) filters.push(eq(fraudDecisions.kind, q.kind));
    const rows = await deps.db
      .select()
      .from(fraudDecisions)
      .where(and(...filters))
      .orderBy(desc(fraudDecisions.decidedAt))
      .limit(Math.min(1000, Math.max(1, Number(q.limit))));
    return c.json({ items: rows.map(({ callerHash: _h, ...r }) => r) });
  });

  return app;
}
