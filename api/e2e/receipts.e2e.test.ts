// Auction receipts through the real stack, three bidders each: a first-price call (inline auction:
// standing bids), a second-price call (the AuctionActor: one bid from an RTB endpoint) and a re-routed
// call. Every party's receipt, a stranger's 404, the admin replay, and the receipt after the call's
// live documents expired (the stack keeps finished calls 20 s) is the one it read while live.
import { afterAll, describe, expect, it } from "vitest";
import { violations } from "../views/policy.ts";
import { call, waitFor } from "./client.ts";
import {
  type Body,
  closers,
  expectBuyerSeesOnlyItsOwn,
  market,
  receipt,
  receiptsOf,
  recorded,
  strangersGet404,
  USD,
} from "./receipt-market.ts";

afterAll(() => {
  for (const c of closers) c();
});

describe("auction receipts", () => {
  it("first price, three bidders: each party's receipt, strangers 404, replay matches, unchanged after expiry", async () => {
    const m = await market("first", false);
    const r = await receiptsOf(m);
    expect(r.seller).toEqual({
      callId: m.callId,
      party: "seller",
      closedAt: expect.any(String),
      auctionFormat: "first_price",
      bidCount: 3,
      validBidCount: 3,
      outcome: "sold",
      reserveMicros: 10 * USD,
      clearingPriceMicros: 30 * USD,
      priceRule: { basis: "own_bid", detail: expect.any(String) },
      attempts: 1,
    });
    expect(r.top).toMatchObject({
      party: "buyer",
      auctionFormat: "first_price",
      bidCount: 3,
      ownBids: [{ amountMicros: 30 * USD, rank: 1, result: "won" }],
      clearingPriceMicros: 30 * USD,
      priceRule: { basis: "own_bid" },
    });
    expect(r.mid).toMatchObject({
      ownBids: [{ amountMicros: 25 * USD, rank: 2, result: "lost", reason: { code: "outbid" } }],
    });
    expect(r.low).toMatchObject({ ownBids: [{ amountMicros: 20 * USD, rank: 3, result: "lost" }] });
    // Losers see the clearing price and its rule (the price they had to beat), never the reserve.
    for (const loser of [r.mid, r.low]) {
      expect(loser).toMatchObject({ clearingPriceMicros: 30 * USD, priceRule: { basis: "own_bid" } });
      expect(loser).not.toHaveProperty("reserveMicros");
    }
    expectBuyerSeesOnlyItsOwn(r.top, [m.ids.mid, m.ids.low, m.seller.sellerId], [25 * USD, 20 * USD]);
    expectBuyerSeesOnlyItsOwn(r.mid, [m.ids.top, m.ids.low, m.seller.sellerId], [30 * USD, 20 * USD]);
    expectBuyerSeesOnlyItsOwn(r.low, [m.ids.top, m.ids.mid, m.seller.sellerId], [30 * USD, 25 * USD]);
    expect(JSON.stringify(r.seller)).not.toMatch(/byr_|bid_/);
    expect(r.admin).toMatchObject({
      party: "admin",
      winner: { buyerId: m.ids.top, priceMicros: 30 * USD },
      ranking: [{ buyerId: m.ids.top }, { buyerId: m.ids.mid }, { buyerId: m.ids.low }],
    });
    await strangersGet404(m.callId);

    const replay = await call<Body>("GET", `/v1/calls/${m.callId}/replay`);
    expect(replay.status).toBe(200);
    expect(violations({ role: "admin" }, replay.body)).toEqual([]);
    expect(violations({ role: "admin" }, r.admin)).toEqual([]);
    expect(replay.body).toMatchObject({
      matches: true,
      recorded: { winner: { buyerId: m.ids.top, priceMicros: 30 * USD } },
      recomputed: { winner: { buyerId: m.ids.top, priceMicros: 30 * USD } },
    });

    // Finish the call and let its live documents expire: the receipt reads the same record.
    const events = `/v1/calls/${m.callId}/events`;
    for (const body of [{ type: "ringing" }, { type: "connected" }, { type: "completed", durationSec: 90 }])
      expect((await call("POST", events, { key: m.seller.key, body })).status).toBe(200);
    const archived = await waitFor(
      () => call<Body>("GET", `/v1/calls/${m.callId}`, { key: m.seller.key }),
      (x) => x.body.archived === true,
      90_000,
    );
    expect(archived.body.archived).toBe(true);
    expect(await receiptsOf(m)).toEqual(r);
    await strangersGet404(m.callId);
  }, 180_000);

  it("second price, three bidders (one by RTB): the next bid plus a cent, each party's view, replay matches", async () => {
    const m = await market("second", true);
    const r = await receiptsOf(m);
    const price = 25 * USD + 10_000;
    expect(r.seller).toMatchObject({
      auctionFormat: "second_price",
      reserveMicros: 10 * USD,
      bidCount: 3,
      clearingPriceMicros: price,
      priceRule: { basis: "next_bid_plus_cent" },
    });
    expect(r.top).toMatchObject({ ownBids: [{ rank: 1, result: "won" }], clearingPriceMicros: price });
    expect(r.mid).toMatchObject({ ownBids: [{ amountMicros: 25 * USD, rank: 2, result: "lost" }] });
    expect(r.mid).toMatchObject({ clearingPriceMicros: price, priceRule: { basis: "next_bid_plus_cent" } });
    expectBuyerSeesOnlyItsOwn(r.mid, [m.ids.top, m.ids.low], [30 * USD, 20 * USD]);
    await strangersGet404(m.callId);
    const replay = await call<Body>("GET", `/v1/calls/${m.callId}/replay`);
    expect(replay.body).toMatchObject({
      matches: true,
      recomputed: { winner: { buyerId: m.ids.top, priceMicros: price } },
    });
  }, 120_000);

  it("a no-answer re-routes the call: the receipts follow it to the fallback, and the replay checks its price", async () => {
    const m = await market("second", false, true);
    const rerouted = await call<Body>("POST", `/v1/calls/${m.callId}/events`, {
      key: m.seller.key,
      body: { type: "failed", reason: "no_answer" },
    });
    expect(rerouted.body).toMatchObject({ status: "routed", decision: { buyerId: m.ids.mid } });
    // The fallback 25 is priced by the bid below it only: 20.01.
    const fallback = 20 * USD + 10_000;
    const seller = await waitFor(
      () => receipt(m.callId, m.seller.key),
      (x) => x.body.attempts === 2,
    );
    expect(seller.body).toMatchObject({
      clearingPriceMicros: fallback,
      priceRule: { basis: "next_bid_plus_cent" },
      attempts: 2,
    });
    const b = (id: string) => ({ role: "buyer" as const, accountId: id });
    const mid = await recorded(m.callId, m.keys.mid, b(m.ids.mid));
    expect(mid).toMatchObject({ ownBids: [{ rank: 2, result: "won" }], clearingPriceMicros: fallback });
    const top = await recorded(m.callId, m.keys.top, b(m.ids.top));
    expect(top).toMatchObject({ ownBids: [{ rank: 1, result: "rerouted", priceMicros: 25 * USD + 10_000 }] });
    expect(top).toMatchObject({ clearingPriceMicros: fallback, priceRule: { basis: "next_bid_plus_cent" } });
    const replay = await call<Body>("GET", `/v1/calls/${m.callId}/replay`);
    expect(replay.body).toMatchObject({
      matches: true,
      recorded: { winner: { buyerId: m.ids.top, priceMicros: 25 * USD + 10_000 } },
      reroutes: [{ matches: true, recorded: { buyerId: m.ids.mid, priceMicros: fallback } }],
    });
  }, 60_000);
});
