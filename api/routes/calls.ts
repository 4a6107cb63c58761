// Calls: sellers offer calls and report their lifecycle; the routing instruction comes back inline.
import { createHash, randomUUID } from "node:crypto";
import { and, desc, eq, gte, lt, or } from "drizzle-orm";
import { type Context, Hono } from "hono";
import type { CallState, CallStatus, ICallActor } from "../../actors/call/call-api.ts";
import { conversionView } from "../../actors/call/conversion.ts";
import { HOLDING } from "../../actors/call/holds.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import { calls } from "../db/schema.ts";
import type { ApiDeps, Principal } from "../deps.ts";
import { offersRefused } from "../metrics.ts";
import { submitOffer } from "../offer.ts";
import { READ, tagged, WRITE } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import { CallEvent, OfferCall } from "../schemas/calls.ts";
import { decodeCursor, encodeCursor, ListCalls } from "../schemas/lists.ts";
import * as R from "../schemas/responses.ts";
import { actorCall, body, query } from "../validate.ts";
import { viewAs } from "../views/policy.ts";
import { archivedCall, archivedView, canSeeRow } from "./call-archive.ts";
import { findSellerCampaign } from "./campaigns.ts";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** The call without caller number, hash or ciphertext; each party then sees its view (api/views). */
export function callView(s: CallState) {
  return {
    callId: s.callId,
    status: s.status,
    sellerId: s.sellerId,
    sellerCampaignId: s.sellerCampaignId,
    callerState: s.caller.state,
    callerZip: s.caller.zip,
    vertical: s.vertical,
    tags: s.tags,
    decision: s.decision,
    auction: s.auction,
    timeline: s.timeline,
    durationSec: s.durationSec,
    billable: s.billing?.billable ?? null,
    chargedMicros: s.billing?.chargedMicros ?? null,
    payoutMicros: s.billing?.payoutMicros ?? null,
    billing: s.billing,
    endReason: s.endReason ?? null,
    channel: s.channel ?? null,
    hangupBy: s.hangupBy ?? null,
    flags: s.flags ?? [],
    // Only on a conversion-billed call that completed qualified (docs/api.md, "Conversions").
    ...(s.conversion ? { conversion: conversionView(s.conversion) } : {}),
  };
}

/**
 * Backpressure: past the events backlog bound a new offer is refused (503, Retry-After) before it
 * adds events; lifecycle events of calls in flight are still taken, so their money settles.
 */
function refuseWhileBacklogged(c: Context, deps: ApiDeps): void {
  if (!deps.stream?.overBound()) return;
  const { retryAfterSec } = deps.stream.guards;
  offersRefused.inc();
  c.header("retry-after", String(retryAfterSec));
  const backlog = deps.stream.status().sample?.backlog;
  throw new ApiError(
    503,
    "events_backlog_full",
    `${backlog} domain events wait to be recorded; retry later`,
    {
      retryAfterSec,
    },
  );
}

function canSee(p: Principal, s: CallState): boolean {
  return p.role === "admin" || p.accountId === s.sellerId || p.accountId === s.decision.buyerId;
}

export function callRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("calls");
  const call = (id: string) => actorProxy<ICallActor>(deps.dapr, "CallActor", id);

  const offerDoc = doc({
    summary: "Offer a call; the routing instruction comes back",
    access: "seller",
    body: OfferCall,
    status: 201,
    response: R.OfferResult,
    idempotencyKey: "required",
    errors: [
      ...WRITE,
      "idempotency_key_required",
      "idempotency_conflict",
      "seller_campaign_unknown",
      "events_backlog_full",
      "call_archived",
    ],
  });
  app.post("/calls", offerDoc, async (c) => {
    const principal = c.get("principal");
    if (principal.role === "buyer") throw new ApiError(403, "forbidden", "only sellers offer calls");
    refuseWhileBacklogged(c, deps);
    const key = c.req.header("idempotency-key");
    if (!key || key.length > 200) throw new ApiError(400, "idempotency_key_required");
    const input = await body(c, OfferCall);
    const sellerId = (await findSellerCampaign(deps, input.sellerCampaignId))?.sellerId;
    if (!sellerId || (principal.role === "seller" && principal.accountId !== sellerId)) {
      throw new ApiError(404, "seller_campaign_unknown", `no seller campaign ${input.sellerCampaignId}`);
    }
    const decision = await submitOffer(deps, { sellerId, idempotencyKey: key, input });
    return c.json(viewAs(principal, decision), 201);
  });

  const listCallsDoc = doc({
    summary: "List calls, newest first",
    access: "any",
    query: ListCalls,
    status: 200,
    response: R.CallPage,
    errors: [...READ, "validation_failed"],
  });
  app.get("/calls", listCallsDoc, async (c) => {
    const principal = c.get("principal");
    const q = query(c, ListCalls);
    const filters = [];
    if (principal.role === "seller") filters.push(eq(calls.sellerId, principal.accountId ?? ""));
    if (principal.role === "buyer") filters.push(eq(calls.buyerId, principal.accountId ?? ""));
    if (q.sellerId) filters.push(eq(calls.sellerId, q.sellerId));
    if (q.buyerId) filters.push(eq(calls.buyerId, q.buyerId));
    if (q.status) filters.push(eq(calls.status, q.status));
    if (q.from) filters.push(gte(calls.offeredAt, q.from));
    if (q.to) filters.push(lt(calls.offeredAt, q.to));
    if (q.cursor) {
      const cur = decodeCursor(q.cursor);
      if (!cur) throw new ApiError(400, "validation_failed", "cursor: not a cursor this API issued");
      filters.push(
        or(lt(calls.offeredAt, cur.at), and(eq(calls.offeredAt, cur.at), lt(calls.callId, cur.id))),
      );
    }
    const limit = Number(q.limit);
    const rows = await deps.db
      .select()
      .from(calls)
      .where(and(...filters))
      .orderBy(desc(calls.offeredAt), desc(calls.callId))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > limit && last ? encodeCursor({ at: last.offeredAt, id: last.callId }) : null;
    // The caller hash is internal (data-subject lookups); partners never see it.
    const items = page.map(({ revision: _r, callerHash: _h, ...row }) => row);
    return c.json(viewAs(principal, { items, nextCursor }));
  });

  const getCallDoc = doc({
    summary: "Get a call",
    access: "any",
    status: 200,
    response: R.Call,
    errors: [...READ, "call_unknown"],
  });
  app.get("/calls/:callId", getCallDoc, async (c) => {
    const callId = c.req.param("callId");
    const principal = c.get("principal");
    const state = await actorCall(call(callId).get()).catch(unlessUnknown);
    if (!state) {
      // Finished and expired from Redis: the call history answers.
      const row = await archivedCall(deps, callId);
      if (!row || !canSeeRow(principal, row)) throw new ApiError(404, "call_unknown", "no such call");
      return c.json(viewAs(principal, archivedView(row)));
    }
    if (!canSee(principal, state)) throw new ApiError(404, "call_unknown", "no such call");
    return c.json(viewAs(principal, callView(state)));
  });

  const callEventDoc = doc({
    summary: "Report a call lifecycle event",
    access: "seller",
    body: CallEvent,
    status: 200,
    response: R.Call,
    idempotencyKey: "optional",
    errors: [
      ...WRITE,
      "call_unknown",
      "illegal_transition",
      "max_duration_exceeded",
      "call_archived",
      "carrier_managed_call",
    ],
  });
  app.post("/calls/:callId/events", callEventDoc, async (c) => {
    const principal = c.get("principal");
    const actor = call(c.req.param("callId"));
    const input = await body(c, CallEvent);
    const current = await actorCall(actor.get()).catch(unlessUnknown);
    if (!current) await refuseArchived(deps, principal, c.req.param("callId"));
    if (principal.role !== "admin" && principal.accountId !== current?.sellerId) {
      throw new ApiError(404, "call_unknown", "no such call");
    }
    const key = c.req.header("idempotency-key");
    const eventId = key ? `key_${sha256(key).slice(0, 24)}` : `evt_${randomUUID()}`;
    const state = await actorCall(actor.event({ eventId, ...input }));
    return c.json(viewAs(principal, callView(state)), 200);
  });

  return app;
}

/** An actor's `call_unknown` as undefined (the call history may know the call); other errors rethrown. */
function unlessUnknown(err: unknown): undefined {
  if (err instanceof ApiError && err.code === "call_unknown") return undefined;
  throw err;
}

/**
 * No live record: 409 call_archived when the call's seller (or an admin) asks about a finished call.
 * A call the history still shows in progress was lost with Redis (until `npm run repair` ends it): 404.
 */
async function refuseArchived(deps: ApiDeps, p: Principal, callId: string): Promise<never> {
  const row = await archivedCall(deps, callId);
  const finished = row && !HOLDING.has(row.status as CallStatus);
  if (finished && (p.role === "admin" || p.accountId === row.sellerId)) {
    throw new ApiError(
      409,
      "call_archived",
      `call ${callId} has finished (${row.status}) and its live record has expired: it takes no more events`,
    );
  }
  throw new ApiError(404, "call_unknown", "no such call");
}
