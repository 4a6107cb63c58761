// Disputes: the buyer of a billed call opens one within its seller campaign's window; the exchange
// settles objective reasons from the call's own data at once, an admin decides the rest (accept,
// partial, reject). A refund goes through the proportional refund path (api/money/refunds.ts) and
// then the buyer's actor; every change is a domain event and a webhook to both parties.
import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import type { IBuyerActor } from "../../actors/buyer/buyer-api.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import { type DisputeRow, disputes } from "../db/dispute-schema.ts";
import { calls } from "../db/schema.ts";
import type { ApiDeps } from "../deps.ts";
import { assertAdmin } from "../middleware/auth.ts";
import { READ, tagged, WRITE } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import { canSeeRow } from "../routes/call-archive.ts";
import { DisputeDecision, DisputesQuery, OpenDispute } from "../schemas/disputes.ts";
import * as R from "../schemas/responses.ts";
import { actorCall, body, query } from "../validate.ts";
import { viewAs } from "../views/policy.ts";
import { byStatus, disputeView, listDisputes, partyFilter } from "./store.ts";
import { decide, open } from "./workflow.ts";

export function disputeRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("ledger");
  const buyer = (id: string) => actorProxy<IBuyerActor>(deps.dapr, "BuyerActor", id);

  /** Credits the buyer's actor with a dispute's refund (once per dispute: the refund id is the dispute's). */
  const creditBuyer = (r: DisputeRow) =>
    r.refundMicros > 0
      ? actorCall(
          buyer(r.buyerId).refund({
            refundId: `rfd_${r.id}`,
            callId: r.callId,
            amountMicros: r.refundMicros,
          }),
        )
      : undefined;

  const openDoc = doc({
    summary: "Dispute a billed call (its buyer, within the seller campaign's dispute window)",
    access: "buyer",
    body: OpenDispute,
    status: 201,
    response: R.Dispute,
    errors: [
      ...WRITE,
      "call_unknown",
      "not_charged",
      "dispute_window_closed",
      "dispute_open",
      "already_refunded",
    ],
  });
  app.post("/calls/:callId/disputes", openDoc, async (c) => {
    const p = c.get("principal");
    if (p.role !== "buyer") throw new ApiError(403, "forbidden", "only the call's buyer opens a dispute");
    const callId = c.req.param("callId");
    const input = await body(c, OpenDispute);
    const [row] = await deps.db.select().from(calls).where(eq(calls.callId, callId));
    if (!row || row.buyerId !== p.accountId) throw new ApiError(404, "call_unknown", "no such call");
    const saved = await open(deps, row, input).catch(async (err: unknown) => {
      // Fully refunded: credits a lost buyer credit of this call's disputes again (once per refund id).
      if (err instanceof ApiError && err.code === "already_refunded") {
        const { rows } = await listDisputes(deps.db, [eq(disputes.callId, callId)], 100);
        for (const r of rows) await creditBuyer(r);
      }
      throw err;
    });
    await creditBuyer(saved);
    return c.json(viewAs(p, disputeView(saved)), 201);
  });

  const callListDoc = doc({
    summary: "A call's disputes (its buyer, its seller, admins)",
    access: "any",
    status: 200,
    response: R.DisputeList,
    errors: [...READ, "call_unknown"],
  });
  app.get("/calls/:callId/disputes", callListDoc, async (c) => {
    const p = c.get("principal");
    const callId = c.req.param("callId");
    const [row] = await deps.db.select().from(calls).where(eq(calls.callId, callId));
    if (!row || !canSeeRow(p, row)) throw new ApiError(404, "call_unknown", "no such call");
    const { rows } = await listDisputes(deps.db, [eq(disputes.callId, callId), partyFilter(p)], 100);
    return c.json(viewAs(p, { data: rows.map(disputeView) }));
  });

  const listDoc = doc({
    summary: "Disputes: an admin's all, a buyer's or seller's own calls', oldest first",
    access: "any",
    query: DisputesQuery,
    status: 200,
    response: R.DisputeList,
    errors: [...READ, "validation_failed"],
  });
  app.get("/disputes", listDoc, async (c) => {
    const p = c.get("principal");
    const q = query(c, DisputesQuery);
    const cursor = q.cursor !== undefined ? Number(q.cursor) : undefined;
    const page = await listDisputes(deps.db, [partyFilter(p), byStatus(q.status)], Number(q.limit), cursor);
    return c.json(viewAs(p, { data: page.rows.map(disputeView), nextCursor: page.nextCursor }));
  });

  const decideDoc = doc({
    summary: "Decide an open dispute: accept (refund what is left), partial (refundMicros) or reject",
    access: "admin",
    body: DisputeDecision,
    status: 200,
    response: R.Dispute,
    errors: [
      ...WRITE,
      "dispute_unknown",
      "dispute_decided",
      "already_refunded",
      "refund_required",
      "refund_exceeds_charge",
    ],
  });
  app.post("/disputes/:disputeId/decision", decideDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const id = c.req.param("disputeId");
    const input = await body(c, DisputeDecision);
    const [prior] = await deps.db
      .select()
      .from(disputes)
      .where(and(eq(disputes.id, id)));
    if (!prior) throw new ApiError(404, "dispute_unknown", `no dispute ${id}`);
    // A decided dispute stays decided; its buyer credit is repeated (once per refund id) in case the
    // first attempt failed after the ledger committed, so the buyer's balance catches up.
    if (prior.status !== "open") {
      await creditBuyer(prior);
      throw new ApiError(409, "dispute_decided", `dispute ${id} is ${prior.status}`);
    }
    const saved = await decide(deps, id, input);
    await creditBuyer(saved);
    return c.json(disputeView(saved));
  });

  return app;
}
