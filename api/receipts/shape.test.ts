// Receipt shaping per party (fixtures): the seller, each bidding buyer, a stranger and an admin.
import { describe, expect, it } from "vitest";
import { viewAs, violations } from "../views/policy.ts";
import { threeBidders, USD } from "./fixtures.ts";
import { isParty, type Party, receiptFor } from "./shape.ts";

const seller: Party = { role: "seller", accountId: "sel_s" };
const buyer = (id: string): Party => ({ role: "buyer", accountId: id });
const seen = (p: Party, a = threeBidders("second")) =>
  viewAs({ role: p.role, accountId: p.role === "admin" ? null : p.accountId }, receiptFor(p, a)) as Record<
    string,
    unknown
  >;

describe("who gets a receipt", () => {
  it("the seller, every buyer that bid and admins; not another seller or a buyer that did not bid", () => {
    const { inputs } = threeBidders("first");
    for (const p of [seller, buyer("byr_a"), buyer("byr_b"), buyer("byr_c"), { role: "admin" } as Party])
      expect(isParty(p, inputs)).toBe(true);
    expect(isParty({ role: "seller", accountId: "sel_other" }, inputs)).toBe(false);
    expect(isParty(buyer("byr_z"), inputs)).toBe(false);
  });
});

describe("the seller's receipt", () => {
  it("shows its reserve, the counts, the clearing price and its rule; no bid, buyer or rank", () => {
    const r = seen(seller);
    expect(r).toEqual({
      callId: "call_1",
      party: "seller",
      closedAt: expect.any(String),
      auctionFormat: "second_price",
      bidCount: 3,
      validBidCount: 2,
      outcome: "sold",
      reserveMicros: 10 * USD,
      clearingPriceMicros: 20 * USD + 10_000,
      priceRule: { basis: "next_bid_plus_cent", detail: expect.stringContaining("second price") },
      attempts: 1,
    });
    expect(
      violations({ role: "seller", accountId: "sel_s" }, receiptFor(seller, threeBidders("second"))),
    ).toEqual([]);
  });
});

describe("a buyer's receipt", () => {
  it("the winner: its own bid, rank 1, the price and the rule; never another buyer or bid", () => {
    const r = seen(buyer("byr_a"), threeBidders("first"));
    expect(r).toMatchObject({
      party: "buyer",
      auctionFormat: "first_price",
      bidCount: 3,
      ownBids: [{ bidId: "bid_a", campaignId: "cmp_byr_a", amountMicros: 30 * USD, rank: 1, result: "won" }],
      clearingPriceMicros: 30 * USD,
      priceRule: { basis: "own_bid" },
    });
    expect(r).not.toHaveProperty("reserveMicros");
    const text = JSON.stringify(r);
    for (const other of ["byr_b", "byr_c", "bid_b", "bid_c", String(20 * USD)])
      expect(text).not.toContain(other);
  });

  it("a loser: its own bid, rank and reason, the clearing price and its rule; no other buyer or bid", () => {
    const r = seen(buyer("byr_b"), threeBidders("first"));
    expect(r.ownBids).toEqual([
      {
        bidId: "bid_b",
        campaignId: "cmp_byr_b",
        amountMicros: 20 * USD,
        rank: 2,
        result: "lost",
        reason: { code: "outbid" },
      },
    ]);
    // Under first price the clearing price is the winning amount: the price to beat, not a bid shown.
    expect(r).toMatchObject({ clearingPriceMicros: 30 * USD, priceRule: { basis: "own_bid" } });
    const { clearingPriceMicros: _c, ...rest } = r as Record<string, unknown>;
    for (const other of ["byr_a", "byr_c", "bid_a", "bid_c", "cmp_byr_a", String(30 * USD), String(5 * USD)])
      expect(JSON.stringify(rest)).not.toContain(other);
    const second = seen(buyer("byr_c"), threeBidders("second"));
    expect(second).toMatchObject({
      clearingPriceMicros: 20 * USD + 10_000,
      priceRule: { basis: "next_bid_plus_cent" },
    });
    const under = seen(buyer("byr_c"));
    expect(under.ownBids).toEqual([
      expect.objectContaining({ rank: null, result: "lost", reason: { code: "below_reserve" } }),
    ]);
  });

  it("a refused bid says its own refusal; the fallback winner sees the reserve rule", () => {
    const a = threeBidders("second", { refused: [{ bidId: "bid_a", reason: "insufficient_funds" }] });
    const fallback = { ...a, winner: { bidId: "bid_b", buyerId: "byr_b", priceMicros: 10 * USD + 10_000 } };
    expect(seen(buyer("byr_a"), fallback).ownBids).toEqual([
      expect.objectContaining({ rank: 1, result: "lost", reason: { code: "insufficient_funds" } }),
    ]);
    expect(seen(buyer("byr_b"), fallback)).toMatchObject({
      clearingPriceMicros: 10 * USD + 10_000,
      priceRule: { basis: "reserve_plus_cent" },
    });
  });
});

describe("after a re-route", () => {
  // byr_a won at 20.01 and did not answer; the call went to byr_b's bid at the price the ranking gave it.
  const a = threeBidders("second");
  const rerouted = { ...a, reroutes: [{ bidId: "bid_b", buyerId: "byr_b", priceMicros: 10 * USD + 10_000 }] };

  it("the seller sees the price the call is held at, its rule and two attempts", () => {
    expect(seen(seller, rerouted)).toMatchObject({
      clearingPriceMicros: 10 * USD + 10_000,
      priceRule: { basis: "reserve_plus_cent" },
      attempts: 2,
    });
  });

  it("the fallback buyer won; the first winner's bid reads rerouted with the price it held, no more", () => {
    expect(seen(buyer("byr_b"), rerouted)).toMatchObject({
      ownBids: [{ bidId: "bid_b", rank: 2, result: "won" }],
      clearingPriceMicros: 10 * USD + 10_000,
    });
    const first = seen(buyer("byr_a"), rerouted);
    expect(first.ownBids).toEqual([
      expect.objectContaining({ result: "rerouted", priceMicros: 20 * USD + 10_000 }),
    ]);
    // It sees the price the call is held at now, as every bidder does, and the rule that set it.
    expect(first).toMatchObject({
      clearingPriceMicros: 10 * USD + 10_000,
      priceRule: { basis: "reserve_plus_cent" },
    });
  });
});

describe("price rules", () => {
  it("caps a second price at the winner's own bid", () => {
    const a = threeBidders("second", {
      bids: [
        {
          bidId: "bid_a",
          buyerId: "byr_a",
          campaignId: "c",
          amountMicros: 20 * USD,
          priority: 1,
          weight: 1,
          receivedAt: 1,
        },
        {
          bidId: "bid_b",
          buyerId: "byr_b",
          campaignId: "c",
          amountMicros: 20 * USD,
          priority: 2,
          weight: 1,
          receivedAt: 1,
        },
      ],
    });
    expect(
      seen(seller, { ...a, winner: { bidId: "bid_a", buyerId: "byr_a", priceMicros: 20 * USD } }).priceRule,
    ).toMatchObject({
      basis: "own_bid_cap",
    });
  });

  it("a no-bid auction has no price and no rule", () => {
    const a = threeBidders("first", {
      refused: [
        { bidId: "bid_a", reason: "x" },
        { bidId: "bid_b", reason: "x" },
      ],
    });
    const r = seen(seller, { ...a, winner: null });
    expect(r.outcome).toBe("no_bid");
    expect(r).not.toHaveProperty("clearingPriceMicros");
  });
});

describe("the admin's receipt", () => {
  it("shows the winner, the whole ranking with refusals and the dropped bids", () => {
    const r = seen({ role: "admin" });
    expect(r.winner).toEqual({ bidId: "bid_a", buyerId: "byr_a", priceMicros: 20 * USD + 10_000 });
    expect(r.ranking).toEqual([
      expect.objectContaining({
        rank: 1,
        bidId: "bid_a",
        buyerId: "byr_a",
        priceMicros: 20 * USD + 10_000,
        refused: null,
      }),
      expect.objectContaining({ rank: 2, bidId: "bid_b", buyerId: "byr_b", refused: null }),
    ]);
    expect(r.dropped).toEqual([expect.objectContaining({ bidId: "bid_c", reason: "below_reserve" })]);
  });
});
