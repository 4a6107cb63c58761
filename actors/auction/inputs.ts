// The inputs an auction's decision was computed from, recorded on its `auction.closed` event (and so in
// Postgres, hash-chained by the audit log) so a receipt and a replay can be answered after the call's
// documents expire: every bid with its tie-break fields, the terms, when it was ranked, and the bids
// whose buyer refused the reservation (the winner is the best bid not refused).
import type { Micros } from "../kernel/money.ts";
import type { AuctionTerms, Bid, Loser } from "./auction-api.ts";

/** A bid as recorded: the fields the pure rules read (rules.ts), nothing else. */
export interface RecordedBid {
  bidId: string;
  buyerId: string;
  campaignId: string;
  amountMicros: Micros;
  priority: number;
  weight: number;
  receivedAt: number;
  expiresAt?: number;
}

export interface AuctionInputs {
  schema: 1;
  sellerId: string;
  auctionType: AuctionTerms["type"];
  reserveMicros: Micros;
  /** Epoch ms the bids were ranked at: a bid expiring at or before it was dropped. */
  rankedAtMs: number;
  bids: RecordedBid[];
  /** Bids tried best first whose buyer refused to reserve (or that expired before it), with why. */
  refused: { bidId: string; reason: string }[];
}

export function recordedBid(b: Bid): RecordedBid {
  const { bidId, buyerId, campaignId, amountMicros, priority, weight, receivedAt, expiresAt } = b;
  return {
    bidId,
    buyerId,
    campaignId,
    amountMicros,
    priority,
    weight,
    receivedAt,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
  };
}

/** The inputs of one close: `tried` are the losers the reservation walk added (refusals). */
export function auctionInputs(
  sellerId: string,
  terms: AuctionTerms,
  rankedAtMs: number,
  bids: readonly Bid[],
  tried: readonly Loser[],
): AuctionInputs {
  return {
    schema: 1,
    sellerId,
    auctionType: terms.type,
    reserveMicros: terms.reserveMicros,
    rankedAtMs,
    bids: bids.map(recordedBid),
    refused: tried.filter((l) => l.bidId !== "").map((l) => ({ bidId: l.bidId, reason: l.reason })),
  };
}
