// Helpers for the auction-rules e2e tests: buyers handed out in id order (so a tie-break the test does
// not mean to exercise would pick the wrong bid), offers, lifecycle events and the views they are read by.
import { expect } from "vitest";
import { violations } from "../views/policy.ts";
import { call, createBuyer, offerCall, uniq, waitFor } from "./client.ts";

export interface Loser {
  bidId: string;
  buyerId: string;
  campaignId: string;
  amountMicros: number;
  reason: string;
}
export interface Decision {
  callId: string;
  status: string;
  buyerId?: string;
  buyerCampaignId?: string;
  bidId?: string;
  priceMicros?: number;
}
export interface CallView {
  callId: string;
  status: string;
  decision: Decision;
  auction: {
    candidates?: number;
    bids?: number;
    winnerBidId?: string;
    clearingPriceMicros?: number;
    auctionType?: string;
    reserveMicros?: number;
    losers?: Loser[];
    durationMs?: number;
  };
  billable: boolean | null;
  chargedMicros: number | null;
}
export interface Seller {
  sellerId: string;
  sellerCampaignId: string;
  key: string;
}

/** A vertical of the test's own: no other buyer of the shared stack can join its auctions. */
export const isolatedVertical = () => `v_${uniq().slice(0, 8)}`;

/** Buyers with $100 each, sorted by id: `[0]` wins a buyer-id tie-break, the last loses it. */
export async function buyersInIdOrder(n: number): Promise<string[]> {
  const ids = await Promise.all(Array.from({ length: n }, () => createBuyer()));
  return ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export async function offer(seller: Seller): Promise<Decision> {
  const res = await offerCall<Decision>(seller, { callerZip: "33101" });
  expect(res.status).toBe(201);
  return res.body;
}

/** Posts a lifecycle event as the seller; answers the call as the seller then sees it. */
export async function event(seller: Seller, callId: string, body: Record<string, unknown>) {
  const res = await call<CallView>("POST", `/v1/calls/${callId}/events`, { key: seller.key, body });
  expect(res.status).toBe(200);
  return res.body;
}

/** The call as the admin sees it (every field, losers included). */
export async function adminView(callId: string): Promise<CallView> {
  const res = await call<CallView>("GET", `/v1/calls/${callId}`);
  expect(res.status).toBe(200);
  return res.body;
}

/**
 * The call as its seller sees it: within the per-party policy, no losers, and none of the losing
 * buyers' ids, campaign ids or bid ids anywhere in the body.
 */
export async function sellerView(seller: Seller, callId: string, hidden: string[]): Promise<CallView> {
  const res = await call<CallView>("GET", `/v1/calls/${callId}`, { key: seller.key });
  expect(res.status).toBe(200);
  expect(violations({ role: "seller", accountId: seller.sellerId }, res.body)).toEqual([]);
  expect(res.body.auction).not.toHaveProperty("losers");
  const text = JSON.stringify(res.body);
  for (const id of hidden) expect(text).not.toContain(id);
  return res.body;
}

export async function balance(buyerId: string) {
  const res = await call<{ balanceMicros: number; reservedMicros: number; availableMicros: number }>(
    "GET",
    `/v1/buyers/${buyerId}/balance`,
  );
  expect(res.status).toBe(200);
  return res.body;
}

/** The buyer's charge postings in the Postgres ledger, once `count` of them have been written. */
export async function charges(buyerId: string, count: number) {
  type Postings = { items: { kind: string; reference: string; amountMicros: number }[] };
  const res = await waitFor(
    () => call<Postings>("GET", `/v1/ledger/postings?accountId=${buyerId}`),
    (r) => r.body.items.filter((i) => i.kind === "charge").length >= count,
  );
  return res.body.items
    .filter((i) => i.kind === "charge")
    .map((i) => ({ reference: i.reference, amountMicros: i.amountMicros }));
}

/** A loser as the admin view lists it; its bid id is the auction's own, unknown to the test until read. */
export const lost = (buyerId: string, campaignId: string, amountMicros: number, reason: string) => ({
  bidId: expect.stringMatching(/^bid_[0-9a-f]{28}$/),
  buyerId,
  campaignId,
  amountMicros,
  reason,
});
