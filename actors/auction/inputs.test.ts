// The inputs an auction.closed event records: every bid's rule fields, and only real bids as refusals.
import { describe, expect, it } from "vitest";
import type { Bid } from "./auction-api.ts";
import { auctionInputs } from "./inputs.ts";

const bid = (bidId: string, over: Partial<Bid> = {}): Bid => ({
  bidId,
  buyerId: "byr_1",
  campaignId: "cmp_1",
  amountMicros: 5,
  priority: 1,
  weight: 2,
  receivedAt: 100,
  source: "rtb",
  destination: { number: "+12125550100" },
  ...over,
});

describe("auctionInputs", () => {
  it("keeps each bid's ranking fields (not its destination or source) and the terms", () => {
    const i = auctionInputs(
      "sel_1",
      { type: "second", reserveMicros: 3 },
      500,
      [bid("bid_a", { expiresAt: 900 })],
      [],
    );
    expect(i).toEqual({
      schema: 1,
      sellerId: "sel_1",
      auctionType: "second",
      reserveMicros: 3,
      rankedAtMs: 500,
      bids: [
        {
          bidId: "bid_a",
          buyerId: "byr_1",
          campaignId: "cmp_1",
          amountMicros: 5,
          priority: 1,
          weight: 2,
          receivedAt: 100,
          expiresAt: 900,
        },
      ],
      refused: [],
    });
  });

  it("records the reservation walk's refusals of bids, not candidates refused before bidding", () => {
    const tried = [
      {
        bidId: "bid_a",
        buyerId: "byr_1",
        campaignId: "cmp_1",
        amountMicros: 5,
        reason: "insufficient_funds" as const,
      },
      {
        bidId: "",
        buyerId: "byr_2",
        campaignId: "cmp_2",
        amountMicros: 5,
        reason: "buyer_suppressed" as const,
      },
    ];
    expect(auctionInputs("sel_1", { type: "first", reserveMicros: 0 }, 1, [], tried).refused).toEqual([
      { bidId: "bid_a", reason: "insufficient_funds" },
    ]);
  });
});
