// Auction receipts (each party of a call: its seller, the buyers that bid, admins) and the admin replay
// that recomputes a call's auction from its recorded inputs; both read the `auction.closed` event
// Postgres keeps, so a receipt is the same before and after the call's live documents expire.
import { Hono } from "hono";
import * as v from "valibot";
import type { ICallActor } from "../../actors/call/call-api.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import type { ApiDeps, Principal } from "../deps.ts";
import { assertAdmin } from "../middleware/auth.ts";
import { READ, tagged } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import { archivedCall, canSeeRow } from "../routes/call-archive.ts";
import { IsoTime } from "../schemas/common.ts";
import * as R from "../schemas/responses.ts";
import { actorCall, query } from "../validate.ts";
import { viewAs } from "../views/policy.ts";
import { replayOf, replayRun } from "./replays.ts";
import { isParty, type Party, receiptFor } from "./shape.ts";
import { latestAuction } from "./store.ts";

const ReplayRunQuery = v.object({ since: IsoTime });

/** An actor's `call_unknown` or `call_archived` as undefined (the call history may know it). */
function unlessGone(err: unknown): undefined {
  if (err instanceof ApiError && (err.code === "call_unknown" || err.code === "call_archived"))
    return undefined;
  throw err;
}

function partyOf(p: Principal): Party | undefined {
  if (p.role === "admin") return { role: "admin" };
  return p.accountId ? { role: p.role, accountId: p.accountId } : undefined;
}

export function receiptRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("calls");
  const unknown = () => new ApiError(404, "call_unknown", "no such call");

  /**
   * No auction recorded. The call's seller, routed buyer or an admin learns why: a call refused at the
   * gates (live, or in the call history once expired) has no receipt; a live one not yet recorded is
   * pending. Anyone else, or a call nobody knows, gets 404.
   */
  async function noAuction(p: Principal, callId: string): Promise<never> {
    const call = actorProxy<ICallActor>(deps.dapr, "CallActor", callId);
    const state = await actorCall(call.get()).catch(unlessGone);
    const known = state
      ? { sellerId: state.sellerId, buyerId: state.decision.buyerId ?? null, status: state.status }
      : await archivedCall(deps, callId);
    if (!known || !canSeeRow(p, known)) throw unknown();
    if (known.status === "rejected")
      throw new ApiError(409, "receipt_unavailable", "the call was refused before any auction");
    if (!state) throw unknown(); // finished and expired without a recorded auction: nothing to show
    throw new ApiError(409, "receipt_pending", "the auction is not recorded yet; retry shortly");
  }

  const receiptDoc = doc({
    summary: "A call's auction receipt, as the asking party may see it",
    access: "any",
    status: 200,
    response: R.Loose,
    errors: [...READ, "call_unknown", "receipt_pending", "receipt_unavailable"],
  });
  app.get("/calls/:callId/receipt", receiptDoc, async (c) => {
    const callId = c.req.param("callId");
    const principal = c.get("principal");
    const party = partyOf(principal);
    if (!party) throw unknown();
    const auction = await latestAuction(deps.db, callId);
    if (!auction) return noAuction(principal, callId);
    const { inputs } = auction;
    if (!inputs) {
      if (party.role !== "admin" && party.accountId !== (auction.winner?.buyerId ?? "")) throw unknown();
      throw new ApiError(409, "receipt_unavailable", "this auction closed before its inputs were recorded");
    }
    if (!isParty(party, inputs)) throw unknown();
    return c.json(viewAs(principal, receiptFor(party, { ...auction, inputs })));
  });

  const replayDoc = doc({
    summary: "Recompute a call's auction from its recorded inputs and compare",
    access: "admin",
    status: 200,
    response: R.Loose,
    errors: [...READ, "call_unknown", "receipt_pending", "receipt_unavailable"],
  });
  app.get("/calls/:callId/replay", replayDoc, async (c) => {
    const principal = c.get("principal");
    assertAdmin(principal);
    const callId = c.req.param("callId");
    const auction = await latestAuction(deps.db, callId);
    if (!auction) return noAuction(principal, callId);
    if (!auction.inputs)
      throw new ApiError(409, "receipt_unavailable", "this auction closed before its inputs were recorded");
    return c.json(replayOf({ ...auction, inputs: auction.inputs }));
  });

  const replayRunDoc = doc({
    summary: "Replay every auction closed since a time (the e2e teardown's check)",
    access: "admin",
    query: ReplayRunQuery,
    status: 200,
    response: R.Loose,
    errors: [...READ, "validation_failed"],
  });
  app.get("/admin/replay", replayRunDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const { since } = query(c, ReplayRunQuery);
    return c.json(await replayRun(deps.db, since));
  });

  return app;
}
