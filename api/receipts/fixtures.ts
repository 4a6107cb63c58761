// Recorded auctions for the receipt and replay unit tests: three buyers bidding under each rule.
import { type AuctionInputs, packInputs, type RecordedBid } from "../../actors/auction/inputs.ts";
import type { RecordedAuction } from "./record.ts";

export const USD = 1_000_000;
export const RANKED_AT = Date.parse("2026-12-01T12:00:00Z");

export function recBid(
  bidId: string,
  buyerId: string,
  amountMicros: number,
  over: Partial<RecordedBid> = {},
) {
  return {
    bidId,
    buyerId,
    campaignId: `cmp_${buyerId}`,
    amountMicros,
    priority: 1,
    weight: 1,
    receivedAt: RANKED_AT - 10,
    ...over,
  };
}

/** byr_a 30, byr_b 20, byr_c 5 (under a 10 reserve): byr_a wins; second price = 20 + 1 cent. */
export function threeBidders(
  type: "first" | "second",
  over: Partial<AuctionInputs> = {},
): RecordedAuction & { inputs: AuctionInputs } {
  const inputs: AuctionInputs = {
    schema: 1,
    sellerId: "sel_s",
    auctionType: type,
    reserveMicros: 10 * USD,
    rankedAtMs: RANKED_AT,
    bids: [
      recBid("bid_c", "byr_c", 5 * USD),
      recBid("bid_b", "byr_b", 20 * USD),
      recBid("bid_a", "byr_a", 30 * USD),
    ],
    refused: [],
    ...over,
  };
  const price = type === "first" ? 30 * USD : 20 * USD + 10_000;
  return {
    callId: "call_1",
    eventId: "evt_1",
    closedAt: new Date(RANKED_AT).toISOString(),
    winner: { bidId: "bid_a", buyerId: "byr_a", priceMicros: price },
    reroutes: [],
    inputs,
  };
}

/** The inputs as an auction.closed event stores them (packed, as JSON gives them back). */
export function packedOf(i: AuctionInputs): Record<string, unknown> {
  const bids = i.bids.map((b) => ({ ...b, source: "standing" as const }));
  const tried = i.refused.map((r) => ({ ...bids.find((b) => b.bidId === r.bidId)!, reason: r.reason }));
  const terms = { type: i.auctionType, reserveMicros: i.reserveMicros };
  return JSON.parse(JSON.stringify(packInputs(i.sellerId, terms, i.rankedAtMs, bids, tried as never)));
}
