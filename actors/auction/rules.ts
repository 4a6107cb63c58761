// AuctionActor's pure rules: drop unusable bids, order the rest deterministically and price each in turn.
import type { TargetingEntry } from "../buyer/targeting.ts";
import type { Ctx } from "../kernel/ctx.ts";
import { type Micros, ONE_CENT } from "../kernel/money.ts";
import type { AuctionTerms, Bid, Loser, Ranking } from "./auction-api.ts";

/**
 * Try-order: highest amount; then lower priority tier, higher weight, earlier receipt, then buyer id,
 * campaign id and bid id (code-unit order, not locale). A total order, so the result never depends on
 * input order. Allocation-free: it runs ~n·log n times per auction.
 */
export function compareBids(a: Bid, b: Bid): number {
  if (a.amountMicros !== b.amountMicros) return b.amountMicros - a.amountMicros;
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.weight !== b.weight) return b.weight - a.weight;
  if (a.receivedAt !== b.receivedAt) return a.receivedAt - b.receivedAt;
  if (a.buyerId !== b.buyerId) return a.buyerId < b.buyerId ? -1 : 1;
  if (a.campaignId !== b.campaignId) return a.campaignId < b.campaignId ? -1 : 1;
  if (a.bidId !== b.bidId) return a.bidId < b.bidId ? -1 : 1;
  return 0;
}

/** A bid as a loser with its reason (the fields a call's auction summary keeps). */
export function loserOf(bid: Bid, reason: Loser["reason"]): Loser {
  const { bidId, buyerId, campaignId, amountMicros } = bid;
  return { bidId, buyerId, campaignId, amountMicros, reason };
}

/**
 * Ranks bids for one call. Expired bids (expiresAt ≤ now) and bids under the reserve are losers, in input
 * order. Each ordered bid carries the price it clears at should every bid above it fail to reserve:
 * first price → its own amount; second price → the higher of the reserve and the best bid ranked after
 * it, plus one cent, never more than its own amount.
 */
export function rankBids(bids: readonly Bid[], terms: AuctionTerms, nowMs: number): Ranking {
  const kept: Bid[] = [];
  const losers: Loser[] = [];
  for (const bid of bids) {
    if (bid.expiresAt !== undefined && bid.expiresAt <= nowMs) losers.push(loserOf(bid, "bid_expired"));
    else if (bid.amountMicros < terms.reserveMicros) losers.push(loserOf(bid, "below_reserve"));
    else kept.push(bid);
  }
  kept.sort(compareBids);
  const ordered: Ranking["ordered"] = new Array(kept.length);
  for (let i = 0; i < kept.length; i++) {
    const bid = kept[i]!;
    ordered[i] = {
      bid,
      priceMicros: terms.type === "first" ? bid.amountMicros : secondPrice(kept, i, terms.reserveMicros),
    };
  }
  return { ordered, losers };
}

function secondPrice(sorted: readonly Bid[], i: number, reserveMicros: Micros): Micros {
  const own = sorted[i]!.amountMicros;
  // Sorted by amount, so the next entry holds the highest amount among those ranked after i; every kept
  // bid is at or above the reserve, so that amount is already max(reserve, best bid below).
  const next = sorted[i + 1];
  const floor = next === undefined ? reserveMicros : next.amountMicros;
  return Math.min(own, floor + ONE_CENT);
}

/** One standing bid per campaign given, as received now; the caller passes only the candidates it found. */
export function standingBids(campaigns: readonly TargetingEntry[], nowMs: number, ctx: Ctx): Bid[] {
  return campaigns.map((c) => ({
    bidId: ctx.newId("bid"),
    buyerId: c.buyerId,
    campaignId: c.id,
    amountMicros: c.bidMicros,
    priority: c.priority,
    weight: c.weight,
    receivedAt: nowMs,
    source: "standing",
  }));
}
