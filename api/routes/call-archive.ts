// A call whose actor documents expired (actors/call/retention.ts) answers from its history: the calls
// read model in Postgres. GET shows what the row keeps, marked `archived`; a lifecycle event for it is
// refused with 409 call_archived (the actor is never woken with an empty document to answer).
import { eq } from "drizzle-orm";
import { type CallRow, calls } from "../db/schema.ts";
import type { ApiDeps, Principal } from "../deps.ts";

export async function archivedCall(deps: Pick<ApiDeps, "db">, callId: string): Promise<CallRow | undefined> {
  const [row] = await deps.db.select().from(calls).where(eq(calls.callId, callId)).limit(1);
  return row;
}

/** The call's seller and the buyer it was routed to see it; admins see every call. */
export function canSeeRow(
  p: Pick<Principal, "role" | "accountId">,
  row: Pick<CallRow, "sellerId" | "buyerId">,
): boolean {
  return p.role === "admin" || p.accountId === row.sellerId || p.accountId === row.buyerId;
}

const iso = (t: string | null) => (t === null ? undefined : new Date(t).toISOString());
const opt = <T>(v: T | null) => (v === null ? undefined : v);

/**
 * The view routes/calls.ts `callView` gives, from the history row: the same names, fewer details (no
 * auction summary, tags, zip, destination, ringing/connected times, reason text).
 */
export function archivedView(row: CallRow) {
  const routed = row.buyerId !== null;
  const decision = routed
    ? {
        callId: row.callId,
        status: "routed",
        buyerId: row.buyerId,
        buyerCampaignId: opt(row.buyerCampaignId),
        priceMicros: opt(row.priceMicros),
      }
    : {
        callId: row.callId,
        status: row.status === "no_bid" ? "no_bid" : "rejected",
        ...(row.reasonCode ? { reason: { code: row.reasonCode } } : {}),
      };
  const billing =
    row.billable === null
      ? undefined
      : {
          billable: row.billable,
          chargedMicros: row.chargedMicros ?? 0,
          payoutMicros: row.payoutMicros ?? 0,
          marginMicros: (row.chargedMicros ?? 0) - (row.payoutMicros ?? 0),
        };
  return {
    callId: row.callId,
    status: row.status,
    sellerId: row.sellerId,
    sellerCampaignId: row.sellerCampaignId,
    callerState: opt(row.callerState),
    vertical: opt(row.vertical),
    decision,
    timeline: { offeredAt: iso(row.offeredAt), endedAt: iso(row.endedAt) },
    durationSec: opt(row.durationSec),
    billable: row.billable,
    chargedMicros: row.chargedMicros,
    payoutMicros: row.payoutMicros,
    billing,
    archived: true,
  };
}
