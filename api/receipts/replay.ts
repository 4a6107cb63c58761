// Replay: recompute an auction's decision from its recorded inputs with the pure rules the AuctionActor
// ran (rankBids), walk the ranking best first past the recorded refusals, and compare with the record.
import type { Bid } from "../../actors/auction/auction-api.ts";
import type { AuctionInputs } from "../../actors/auction/inputs.ts";
import { rankBids } from "../../actors/auction/rules.ts";

export interface Decided {
  bidId: string;
  buyerId: string;
  priceMicros: number;
}

export interface Recomputed {
  /** Every valid bid best first, with the price it would clear at; `refused` when its buyer declined. */
  ordered: {
    bidId: string;
    buyerId: string;
    campaignId: string;
    amountMicros: number;
    priceMicros: number;
  }[];
  /** Bids the rules dropped before ranking (under the reserve, expired), with why. */
  dropped: { bidId: string; buyerId: string; campaignId: string; amountMicros: number; reason: string }[];
  winner: Decided | null;
  /** The winner's index in `ordered`, or -1. */
  winnerIndex: number;
}

/** The decision the rules give for these inputs. */
export function recompute(inputs: AuctionInputs): Recomputed {
  const bids: Bid[] = inputs.bids.map((b) => ({ ...b, source: "standing" }));
  const ranking = rankBids(
    bids,
    { type: inputs.auctionType, reserveMicros: inputs.reserveMicros },
    inputs.rankedAtMs,
  );
  const refused = new Set(inputs.refused.map((r) => r.bidId));
  const ordered = ranking.ordered.map(({ bid, priceMicros }) => ({
    bidId: bid.bidId,
    buyerId: bid.buyerId,
    campaignId: bid.campaignId,
    amountMicros: bid.amountMicros,
    priceMicros,
  }));
  const winnerIndex = ordered.findIndex((o) => !refused.has(o.bidId));
  const w = ordered[winnerIndex];
  return {
    ordered,
    dropped: ranking.losers.map(({ bidId, buyerId, campaignId, amountMicros, reason }) => ({
      bidId,
      buyerId,
      campaignId,
      amountMicros,
      reason,
    })),
    winner: w ? { bidId: w.bidId, buyerId: w.buyerId, priceMicros: w.priceMicros } : null,
    winnerIndex,
  };
}

/**
 * A re-route's check: the bid that took the call is one the rules ranked, for the buyer that bid, at
 * the price the ranking gave it (a fallback is never re-priced; DESIGN §3), and its buyer was not
 * routed the call before.
 */
export function rerouteChecks(r: Recomputed, first: Decided | null, reroutes: readonly Decided[]) {
  const tried = new Set(first ? [first.buyerId] : []);
  return reroutes.map((recorded) => {
    const ranked = r.ordered.find((o) => o.bidId === recorded.bidId);
    const recomputed = ranked
      ? { bidId: ranked.bidId, buyerId: ranked.buyerId, priceMicros: ranked.priceMicros }
      : null;
    const matches = !tried.has(recorded.buyerId) && sameDecision(recorded, recomputed);
    tried.add(recorded.buyerId);
    return { recorded, recomputed, matches };
  });
}

/** Whether the recomputed decision is the recorded one: same bid, same buyer, same price (or both none). */
export function sameDecision(recorded: Decided | null, recomputed: Decided | null): boolean {
  if (recorded === null || recomputed === null) return recorded === recomputed;
  return (
    recorded.bidId === recomputed.bidId &&
    recorded.buyerId === recomputed.buyerId &&
    recorded.priceMicros === recomputed.priceMicros
  );
}
