// Ranking and pricing of bids: order, every tie-break, reserve and expiry, first and second price.
import { describe, expect, it } from "vitest";
import type { BuyerCampaign } from "../buyer/buyer-api.ts";
import { fixedCtx } from "../kernel/ctx.ts";
import { ONE_CENT } from "../kernel/money.ts";
import type { AuctionTerms, Bid } from "./auction-api.ts";
import { compareBids, rankBids, standingBids } from "./rules.ts";

const NOW = Date.parse("2026-11-28T19:00:00Z");
const USD = 1_000_000;
const first: AuctionTerms = { reserveMicros: 0, type: "first" };
const second = (reserveMicros = 0): AuctionTerms => ({ reserveMicros, type: "second" });

function bid(bidId: string, amountMicros: number, over: Partial<Bid> = {}): Bid {
  return {
    bidId,
    buyerId: "buy_b1",
    campaignId: "cmp_c1",
    amountMicros,
    priority: 1,
    weight: 1,
    receivedAt: NOW - 50,
    source: "standing",
    destination: { number: "+12125550100" },
    minDurationSec: 60,
    ...over,
  };
}

const ids = (bids: Bid[], terms = first): string[] =>
  rankBids(bids, terms, NOW).ordered.map((o) => o.bid.bidId);
const prices = (bids: Bid[], terms: AuctionTerms): number[] =>
  rankBids(bids, terms, NOW).ordered.map((o) => o.priceMicros);

describe("rankBids ordering", () => {
  it("puts the highest amount first and prices first-price bids at their own amount", () => {
    const ranking = rankBids(
      [bid("bid_a", 10 * USD), bid("bid_b", 30 * USD), bid("bid_c", 20 * USD)],
      first,
      NOW,
    );
    expect(ranking.ordered.map((o) => [o.bid.bidId, o.priceMicros])).toEqual([
      ["bid_b", 30 * USD],
      ["bid_c", 20 * USD],
      ["bid_a", 10 * USD],
    ]);
    expect(ranking.losers).toEqual([]);
  });

  it.each([
    ["lower priority", { priority: 2 }, { priority: 1 }],
    ["higher weight", { weight: 1 }, { weight: 5 }],
    ["earlier receipt", { receivedAt: NOW - 10 }, { receivedAt: NOW - 20 }],
    ["smaller buyer id", { buyerId: "buy_b2" }, { buyerId: "buy_b10" }],
    ["smaller campaign id", { campaignId: "cmp_z" }, { campaignId: "cmp_a" }],
  ])("breaks an equal-amount tie by %s, whatever the input order", (_name, loses, wins) => {
    const a = bid("bid_a", USD, loses as Partial<Bid>);
    const b = bid("bid_b", USD, wins as Partial<Bid>);
    expect(ids([a, b])).toEqual(["bid_b", "bid_a"]);
    expect(ids([b, a])).toEqual(["bid_b", "bid_a"]);
  });

  it("falls back to the bid id when everything else is equal", () => {
    expect(ids([bid("bid_y", USD), bid("bid_x", USD)])).toEqual(["bid_x", "bid_y"]);
    expect(compareBids(bid("bid_x", USD), bid("bid_x", USD))).toBe(0);
  });

  it("applies tie-breaks in the contract's order (priority beats weight beats receipt)", () => {
    const a = bid("bid_a", USD, { priority: 1, weight: 1, receivedAt: NOW - 1 });
    const b = bid("bid_b", USD, { priority: 1, weight: 9, receivedAt: NOW });
    const c = bid("bid_c", USD, { priority: 0, weight: 0, receivedAt: NOW });
    expect(ids([a, b, c])).toEqual(["bid_c", "bid_b", "bid_a"]);
  });

  it("gives the same order for every permutation of many tied bids", () => {
    const bids: Bid[] = [];
    for (let i = 0; i < 60; i++) {
      bids.push(
        bid(`bid_${i}`, (i % 3) * USD, {
          priority: i % 2,
          weight: i % 4,
          receivedAt: NOW - (i % 5),
          buyerId: `buy_${i % 6}`,
          campaignId: `cmp_${i % 7}`,
        }),
      );
    }
    const expected = ids(bids);
    let seed = 42;
    for (let round = 0; round < 20; round++) {
      const shuffled = [...bids];
      for (let i = shuffled.length - 1; i > 0; i--) {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        const j = seed % (i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      expect(ids(shuffled)).toEqual(expected);
    }
  });

  it("leaves the caller's array untouched", () => {
    const bids = [bid("bid_a", USD), bid("bid_b", 2 * USD)];
    rankBids(bids, first, NOW);
    expect(bids.map((b) => b.bidId)).toEqual(["bid_a", "bid_b"]);
  });
});

describe("rankBids reserve and expiry", () => {
  it("keeps a bid equal to the reserve and drops one a micro below it", () => {
    const ranking = rankBids(
      [bid("bid_eq", 5 * USD), bid("bid_lo", 5 * USD - 1)],
      { reserveMicros: 5 * USD, type: "first" },
      NOW,
    );
    expect(ranking.ordered.map((o) => o.bid.bidId)).toEqual(["bid_eq"]);
    expect(ranking.losers).toEqual([
      {
        bidId: "bid_lo",
        buyerId: "buy_b1",
        campaignId: "cmp_c1",
        amountMicros: 5 * USD - 1,
        reason: "below_reserve",
      },
    ]);
  });

  it("drops bids expiring at or before now, keeps later and open-ended ones, and reports expiry first", () => {
    const ranking = rankBids(
      [
        bid("bid_at", 9 * USD, { expiresAt: NOW }),
        bid("bid_later", 8 * USD, { expiresAt: NOW + 1 }),
        bid("bid_open", 7 * USD),
        bid("bid_both", 1, { expiresAt: NOW - 1 }),
      ],
      second(USD),
      NOW,
    );
    expect(ranking.ordered.map((o) => o.bid.bidId)).toEqual(["bid_later", "bid_open"]);
    expect(ranking.losers.map((l) => [l.bidId, l.reason])).toEqual([
      ["bid_at", "bid_expired"],
      ["bid_both", "bid_expired"],
    ]);
  });

  it("returns an empty ranking for no bids", () => {
    expect(rankBids([], second(USD), NOW)).toEqual({ ordered: [], losers: [] });
  });
});

describe("rankBids second price", () => {
  it("charges the runner-up plus one cent", () => {
    expect(prices([bid("bid_a", 10 * USD), bid("bid_b", 7 * USD)], second(USD))).toEqual([
      7 * USD + ONE_CENT,
      USD + ONE_CENT,
    ]);
  });

  it("charges the reserve plus one cent to a lone bid, and the last bid of a cascade", () => {
    expect(prices([bid("bid_a", 10 * USD)], second(2 * USD))).toEqual([2 * USD + ONE_CENT]);
    expect(
      prices([bid("bid_a", 10 * USD), bid("bid_b", 9 * USD), bid("bid_c", 4 * USD)], second(2 * USD)),
    ).toEqual([9 * USD + ONE_CENT, 4 * USD + ONE_CENT, 2 * USD + ONE_CENT]);
  });

  it("never charges more than the bid itself", () => {
    expect(prices([bid("bid_a", 5 * USD), bid("bid_b", 5 * USD)], second())).toEqual([5 * USD, ONE_CENT]);
    expect(prices([bid("bid_a", 5 * USD + 5_000), bid("bid_b", 5 * USD)], second())).toEqual([
      5 * USD + 5_000,
      ONE_CENT,
    ]);
    expect(prices([bid("bid_a", 2 * USD)], second(2 * USD))).toEqual([2 * USD]);
    expect(prices([bid("bid_a", 0)], second(0))).toEqual([0]);
  });

  it("ignores dropped bids when pricing", () => {
    const bids = [bid("bid_a", 10 * USD), bid("bid_x", 9 * USD, { expiresAt: NOW }), bid("bid_lo", USD / 2)];
    expect(prices(bids, second(USD))).toEqual([USD + ONE_CENT]);
  });
});

describe("standingBids", () => {
  it("turns each campaign's standing price into a bid received now, with ids from ctx", () => {
    const campaign = {
      id: "cmp_c7",
      buyerId: "buy_b7",
      bidMicros: 12 * USD,
      priority: 2,
      weight: 3,
      destination: { sip: "sip:sales@example.com" },
      minDurationSec: 90,
    } as BuyerCampaign;
    const bids = standingBids([campaign, { ...campaign, id: "cmp_c8" }], NOW, fixedCtx(NOW));
    expect(bids).toEqual([
      {
        bidId: "bid_000001",
        buyerId: "buy_b7",
        campaignId: "cmp_c7",
        amountMicros: 12 * USD,
        priority: 2,
        weight: 3,
        receivedAt: NOW,
        source: "standing",
      },
      expect.objectContaining({ bidId: "bid_000002", campaignId: "cmp_c8" }),
    ]);
  });
});
