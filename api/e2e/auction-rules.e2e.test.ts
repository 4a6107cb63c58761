// Invariant 5 through the real stack (Hono → daprd → actors → Redis/Postgres): the winner and clearing
// price follow DESIGN §3 when the seller's terms (second price, reserve) and the campaigns' priority and
// weight travel through the API, the actors and the bid sources. Each market has a vertical of its own,
// and buyers are handed their roles in id order, so that only the rule under test can pick the winner.
import { describe, expect, it } from "vitest";
import { violations } from "../views/policy.ts";
import {
  adminView,
  balance,
  buyersInIdOrder,
  type CallView,
  charges,
  event,
  isolatedVertical,
  lost,
  offer,
  sellerView,
} from "./auction-market.ts";
import { buyerKey } from "./bidders.ts";
import { call, createBuyerCampaign, createSeller } from "./client.ts";

const USD = 1_000_000;

describe("second price with a priority tie (invariant 5)", () => {
  it("30 / 25 / 25 at priorities 2 and 1: the 30 clears at 25.01; a no-answer re-routes to the 25 at priority 1, at 25.00", async () => {
    const vertical = isolatedVertical();
    // `low` has the lower buyer id and the higher weight: each tie-break after priority favours it.
    const [low, top, high] = await buyersInIdOrder(3);
    const base = { vertical, minDurationSec: 60 };
    const topCampaign = await createBuyerCampaign(top!, { ...base, bidMicros: 30 * USD });
    const tier2 = await createBuyerCampaign(low!, { ...base, bidMicros: 25 * USD, priority: 2, weight: 9 });
    const tier1 = await createBuyerCampaign(high!, { ...base, bidMicros: 25 * USD, priority: 1, weight: 1 });
    const seller = await createSeller({
      vertical,
      auction: "second",
      reserveMicros: 1 * USD,
      reroute: { max: 2, belowSec: 10 },
    });

    // The 30 wins; its price is the best bid below it (the 25 at priority 1) plus one cent.
    const first = await offer(seller);
    expect(first).toMatchObject({
      status: "routed",
      buyerId: top,
      buyerCampaignId: topCampaign,
      priceMicros: 25_010_000,
    });
    const seen = await adminView(first.callId);
    expect(seen.auction).toEqual({
      candidates: 3,
      bids: 3,
      auctionType: "second",
      reserveMicros: 1 * USD,
      winnerBidId: first.bidId,
      clearingPriceMicros: 25_010_000,
      // Ranked order: the tier-1 25 before the tier-2 25.
      losers: [lost(high!, tier1, 25 * USD, "outbid"), lost(low!, tier2, 25 * USD, "outbid")],
      durationMs: expect.any(Number),
    });
    const bidIds = new Set([first.bidId, ...seen.auction.losers!.map((l) => l.bidId)]);
    expect(bidIds.size).toBe(3);
    const hidden = [low!, high!, tier1, tier2, ...seen.auction.losers!.map((l) => l.bidId)];
    expect((await sellerView(seller, first.callId, hidden)).auction).toEqual({
      candidates: 3,
      bids: 3,
      auctionType: "second",
      reserveMicros: 1 * USD,
      winnerBidId: first.bidId,
      clearingPriceMicros: 25_010_000,
      durationMs: expect.any(Number),
    });
    expect(await balance(top!)).toEqual({
      balanceMicros: 100 * USD,
      creditLimitMicros: 0,
      reservedMicros: 25_010_000,
      availableMicros: 74_990_000,
    });
    await event(seller, first.callId, { type: "connected" });
    expect(await event(seller, first.callId, { type: "completed", durationSec: 75 })).toMatchObject({
      status: "completed",
      billable: true,
      chargedMicros: 25_010_000,
    });
    expect(await balance(top!)).toMatchObject({ balanceMicros: 74_990_000, reservedMicros: 0 });
    expect(await charges(top!, 1)).toEqual([{ reference: first.callId, amountMicros: -25_010_000 }]);

    // Second call: the winner does not answer. The fallback is the 25 at priority 1 (lower tier wins);
    // its price is set only by the bids ranked below it (the other 25): 25.01, capped at its own 25.00.
    const second = await offer(seller);
    expect(second).toMatchObject({ status: "routed", buyerId: top, priceMicros: 25_010_000 });
    const rerouted = await event(seller, second.callId, { type: "failed", reason: "no_answer" });
    expect(rerouted.status).toBe("routed");
    expect(rerouted.decision).toMatchObject({
      status: "routed",
      buyerId: high,
      buyerCampaignId: tier1,
      priceMicros: 25 * USD,
    });
    const after = await adminView(second.callId);
    expect(after.decision.bidId).toBe(after.auction.losers![0]!.bidId); // the tier-1 bid itself
    expect(after.auction.losers).toEqual([
      lost(high!, tier1, 25 * USD, "outbid"),
      lost(low!, tier2, 25 * USD, "outbid"),
    ]);
    // The re-routed buyer reads the call with only its own (earlier losing) bid among the losers.
    const asHigh = await call<CallView>("GET", `/v1/calls/${second.callId}`, { key: await buyerKey(high!) });
    expect(asHigh.status).toBe(200);
    expect(violations({ role: "buyer", accountId: high! }, asHigh.body)).toEqual([]);
    expect(asHigh.body.auction.losers).toEqual([lost(high!, tier1, 25 * USD, "outbid")]);
    expect(JSON.stringify(asHigh.body)).not.toContain(low!);
    expect(JSON.stringify(asHigh.body)).not.toContain(tier2);
    expect(await balance(top!)).toMatchObject({ balanceMicros: 74_990_000, reservedMicros: 0 });
    expect(await balance(high!)).toMatchObject({ balanceMicros: 100 * USD, reservedMicros: 25 * USD });
    expect(await balance(low!)).toMatchObject({ balanceMicros: 100 * USD, reservedMicros: 0 });
    await event(seller, second.callId, { type: "connected" });
    expect(await event(seller, second.callId, { type: "completed", durationSec: 75 })).toMatchObject({
      status: "completed",
      billable: true,
      chargedMicros: 25 * USD,
    });
    expect(await balance(high!)).toMatchObject({ balanceMicros: 75 * USD, reservedMicros: 0 });
    expect(await charges(high!, 1)).toEqual([{ reference: second.callId, amountMicros: -25 * USD }]);
    expect(await charges(top!, 1)).toEqual([{ reference: first.callId, amountMicros: -25_010_000 }]);
    expect(await charges(low!, 0)).toEqual([]);
  });

  it("30 / 25 / 20: the fallback 25 pays 20.01, set only by the bid below it, not the 30 above it", async () => {
    // In the 30/25/25 market the fallback's price is capped at its own bid whichever bids set it; here
    // a price from the bids above it (or first price on re-route) would be 25.00.
    const vertical = isolatedVertical();
    const [a, b, c] = await buyersInIdOrder(3);
    await createBuyerCampaign(a!, { vertical, bidMicros: 30 * USD });
    const fallback = await createBuyerCampaign(b!, { vertical, bidMicros: 25 * USD });
    await createBuyerCampaign(c!, { vertical, bidMicros: 20 * USD });
    const seller = await createSeller({ vertical, auction: "second", reserveMicros: 1 * USD });
    const routed = await offer(seller);
    expect(routed).toMatchObject({ status: "routed", buyerId: a, priceMicros: 25_010_000 });
    const rerouted = await event(seller, routed.callId, { type: "failed", reason: "no_answer" });
    expect(rerouted.decision).toMatchObject({
      status: "routed",
      buyerId: b,
      buyerCampaignId: fallback,
      priceMicros: 20_010_000,
    });
    expect(await balance(b!)).toMatchObject({ reservedMicros: 20_010_000 });
    expect(await balance(a!)).toMatchObject({ reservedMicros: 0 });
  });
});

describe("weight tie (invariant 5)", () => {
  it("equal bids at equal priority: the higher weight wins, every time, at its own price (first price)", async () => {
    const vertical = isolatedVertical();
    // The lighter campaign's buyer has the lower id: a buyer-id tie-break would pick it.
    const [light, heavy] = await buyersInIdOrder(2);
    const lightCampaign = await createBuyerCampaign(light!, { vertical, bidMicros: 20 * USD, weight: 1 });
    const heavyCampaign = await createBuyerCampaign(heavy!, { vertical, bidMicros: 20 * USD, weight: 7 });
    const seller = await createSeller({ vertical, auction: "first", reserveMicros: 1 * USD });
    for (let i = 0; i < 2; i++) {
      const routed = await offer(seller);
      expect(routed).toMatchObject({
        status: "routed",
        buyerId: heavy,
        buyerCampaignId: heavyCampaign,
        priceMicros: 20 * USD,
      });
      const seen = await adminView(routed.callId);
      expect(seen.auction).toEqual({
        candidates: 2,
        bids: 2,
        auctionType: "first",
        reserveMicros: 1 * USD,
        winnerBidId: routed.bidId,
        clearingPriceMicros: 20 * USD,
        losers: [lost(light!, lightCampaign, 20 * USD, "outbid")],
        durationMs: expect.any(Number),
      });
      await sellerView(seller, routed.callId, [light!, lightCampaign, seen.auction.losers![0]!.bidId]);
    }
    expect(await balance(heavy!)).toMatchObject({ reservedMicros: 40 * USD });
    expect(await balance(light!)).toMatchObject({ reservedMicros: 0 });
  });
});

describe("seller reserve (invariant 5)", () => {
  it("a bid below the reserve loses as below_reserve; the lone valid bid clears at reserve + 0.01 (second price)", async () => {
    const vertical = isolatedVertical();
    const [under, over] = await buyersInIdOrder(2);
    const underCampaign = await createBuyerCampaign(under!, { vertical, bidMicros: 8 * USD });
    const overCampaign = await createBuyerCampaign(over!, { vertical, bidMicros: 20 * USD });
    const seller = await createSeller({ vertical, auction: "second", reserveMicros: 10 * USD });
    const routed = await offer(seller);
    expect(routed).toMatchObject({
      status: "routed",
      buyerId: over,
      buyerCampaignId: overCampaign,
      priceMicros: 10_010_000,
    });
    const seen = await adminView(routed.callId);
    expect(seen.auction).toEqual({
      candidates: 2,
      bids: 2,
      auctionType: "second",
      reserveMicros: 10 * USD,
      winnerBidId: routed.bidId,
      clearingPriceMicros: 10_010_000,
      losers: [lost(under!, underCampaign, 8 * USD, "below_reserve")],
      durationMs: expect.any(Number),
    });
    await sellerView(seller, routed.callId, [under!, underCampaign, seen.auction.losers![0]!.bidId]);
    expect(await balance(over!)).toMatchObject({ reservedMicros: 10_010_000 });
    expect(await balance(under!)).toMatchObject({ reservedMicros: 0 });
  });
});
