// Invariant 5 across bid sources through the real stack: an RTB answer (a loopback HTTP endpoint), a
// live bid (a buyer on the /v1/live WebSocket) and a standing campaign bid compete in one auction; the
// highest wins at the price DESIGN §3 gives it, the others lose as outbid, in rank order.
import { afterEach, describe, expect, it } from "vitest";
import {
  adminView,
  balance,
  buyersInIdOrder,
  isolatedVertical,
  lost,
  offer,
  sellerView,
} from "./auction-market.ts";
import { buyerKey, json, liveBidder, rtbEndpoint } from "./bidders.ts";
import { createBuyerCampaign, createSeller } from "./client.ts";

const USD = 1_000_000;
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

interface Market {
  auction: "first" | "second";
  rtbMicros: number;
  liveMicros: number;
  standingMicros?: number;
  /** Campaign fields (priority, weight) of the RTB and the live campaign. */
  rtbTerms?: Record<string, unknown>;
  liveTerms?: Record<string, unknown>;
}

/**
 * A standing bid ($20 unless told), an RTB endpoint answering `rtbMicros` and a live buyer bidding
 * `liveMicros`. The standing buyer has the lowest id and bids first: it wins every tie that the
 * campaigns' priority and weight do not decide.
 */
async function threeSources(o: Market) {
  const { auction, rtbMicros, liveMicros } = o;
  const vertical = isolatedVertical();
  const [standingBuyer, rtbBuyer, liveBuyer] = await buyersInIdOrder(3);
  const endpoint = await rtbEndpoint((_ping, res) => json(res, { bidMicros: rtbMicros }));
  closers.push(endpoint.close);
  const standing = await createBuyerCampaign(standingBuyer!, {
    vertical,
    bidMicros: o.standingMicros ?? 20 * USD,
  });
  const rtb = await createBuyerCampaign(rtbBuyer!, {
    vertical,
    bidMicros: 1 * USD,
    rtb: { url: endpoint.url, timeoutMs: 1_000 },
    ...o.rtbTerms,
  });
  // Its standing bid is $10: the live bid replaces it only because it is higher.
  const live = await createBuyerCampaign(liveBuyer!, { vertical, bidMicros: 10 * USD, ...o.liveTerms });
  const bidder = await liveBidder({ key: await buyerKey(liveBuyer!), bid: () => liveMicros });
  closers.push(() => bidder.close());
  const seller = await createSeller({ vertical, auction, reserveMicros: 5 * USD, maxAuctionMs: 2_000 });
  return { standingBuyer, rtbBuyer, liveBuyer, standing, rtb, live, endpoint, bidder, seller };
}

describe("RTB, live and standing bids in one auction (invariant 5)", () => {
  it("first price: the live 33 beats the RTB 27 and the standing 20, and pays its own bid", async () => {
    const m = await threeSources({ auction: "first", rtbMicros: 27 * USD, liveMicros: 33 * USD });
    const routed = await offer(m.seller);
    expect(routed).toMatchObject({
      status: "routed",
      buyerId: m.liveBuyer,
      buyerCampaignId: m.live,
      priceMicros: 33 * USD,
    });
    expect(m.endpoint.pings).toHaveLength(1);
    expect(m.endpoint.pings[0]).toMatchObject({ callId: routed.callId, campaignId: m.rtb });
    const seen = await adminView(routed.callId);
    expect(seen.auction).toEqual({
      candidates: 3,
      bids: 3,
      auctionType: "first",
      reserveMicros: 5 * USD,
      winnerBidId: routed.bidId,
      clearingPriceMicros: 33 * USD,
      losers: [
        lost(m.rtbBuyer!, m.rtb, 27 * USD, "outbid"),
        lost(m.standingBuyer!, m.standing, 20 * USD, "outbid"),
      ],
      durationMs: expect.any(Number),
    });
    const loserIds = seen.auction.losers!.map((l) => l.bidId);
    await sellerView(m.seller, routed.callId, [
      m.rtbBuyer!,
      m.standingBuyer!,
      m.rtb,
      m.standing,
      ...loserIds,
    ]);
    expect(
      await m.bidder.next((x) => x.callId === routed.callId && (x.type === "won" || x.type === "lost")),
    ).toEqual({ type: "won", callId: routed.callId, campaignId: m.live, priceMicros: 33 * USD });
    expect(await balance(m.liveBuyer!)).toMatchObject({ reservedMicros: 33 * USD });
    for (const loser of [m.rtbBuyer!, m.standingBuyer!])
      expect(await balance(loser)).toMatchObject({ reservedMicros: 0 });
  });

  it("second price: the RTB 33 wins at the live 27 plus one cent; the live buyer hears lost/outbid", async () => {
    const m = await threeSources({ auction: "second", rtbMicros: 33 * USD, liveMicros: 27 * USD });
    const routed = await offer(m.seller);
    expect(routed).toMatchObject({
      status: "routed",
      buyerId: m.rtbBuyer,
      buyerCampaignId: m.rtb,
      priceMicros: 27_010_000,
    });
    const seen = await adminView(routed.callId);
    expect(seen.auction).toEqual({
      candidates: 3,
      bids: 3,
      auctionType: "second",
      reserveMicros: 5 * USD,
      winnerBidId: routed.bidId,
      clearingPriceMicros: 27_010_000,
      losers: [
        lost(m.liveBuyer!, m.live, 27 * USD, "outbid"),
        lost(m.standingBuyer!, m.standing, 20 * USD, "outbid"),
      ],
      durationMs: expect.any(Number),
    });
    const loserIds = seen.auction.losers!.map((l) => l.bidId);
    await sellerView(m.seller, routed.callId, [
      m.liveBuyer!,
      m.standingBuyer!,
      m.live,
      m.standing,
      ...loserIds,
    ]);
    expect(
      await m.bidder.next((x) => x.callId === routed.callId && (x.type === "won" || x.type === "lost")),
    ).toEqual({ type: "lost", callId: routed.callId, campaignId: m.live, reason: "outbid" });
    expect(await balance(m.rtbBuyer!)).toMatchObject({ reservedMicros: 27_010_000 });
    for (const loser of [m.liveBuyer!, m.standingBuyer!])
      expect(await balance(loser)).toMatchObject({ reservedMicros: 0 });
  });

  it("a three-way tie at 25: the live bid's priority 0 wins, the RTB bid's weight 5 beats the earlier standing bid", async () => {
    // Equal amounts: the live campaign's lower tier ranks it first, the RTB campaign's weight ranks it
    // before the standing bid (which arrived first and has the lowest buyer id). So these campaigns'
    // priority and weight must reach the bids built from live and RTB answers.
    const m = await threeSources({
      auction: "second",
      rtbMicros: 25 * USD,
      liveMicros: 25 * USD,
      standingMicros: 25 * USD,
      rtbTerms: { priority: 1, weight: 5 },
      liveTerms: { priority: 0, weight: 1 },
    });
    const routed = await offer(m.seller);
    // Second price: the best bid below it (25.00) plus a cent, capped at its own 25.00.
    expect(routed).toMatchObject({
      status: "routed",
      buyerId: m.liveBuyer,
      buyerCampaignId: m.live,
      priceMicros: 25 * USD,
    });
    const seen = await adminView(routed.callId);
    expect(seen.auction).toEqual({
      candidates: 3,
      bids: 3,
      auctionType: "second",
      reserveMicros: 5 * USD,
      winnerBidId: routed.bidId,
      clearingPriceMicros: 25 * USD,
      durationMs: expect.any(Number),
      losers: [
        lost(m.rtbBuyer!, m.rtb, 25 * USD, "outbid"),
        lost(m.standingBuyer!, m.standing, 25 * USD, "outbid"),
      ],
    });
    expect(await balance(m.liveBuyer!)).toMatchObject({ reservedMicros: 25 * USD });
  });
});
