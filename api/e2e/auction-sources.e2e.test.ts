// Invariant 5 across bid sources through the real stack: an RTB answer (a loopback HTTP endpoint), a
// live bid (a buyer on the /v1/live WebSocket) and a standing campaign bid compete in one auction; the
// highest wins at the price DESIGN §3 gives it, the others lose as outbid, in rank order.
import { afterEach, describe, expect, it } from "vitest";
import { adminView, buyersInIdOrder, isolatedVertical, lost, offer, sellerView } from "./auction-market.ts";
import { buyerKey, json, liveBidder, rtbEndpoint } from "./bidders.ts";
import { createBuyerCampaign, createSeller } from "./client.ts";

const USD = 1_000_000;
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A standing bid at $20, an RTB endpoint answering `rtbMicros` and a live buyer bidding `liveMicros`. */
async function threeSources(auction: "first" | "second", rtbMicros: number, liveMicros: number) {
  const vertical = isolatedVertical();
  const [standingBuyer, rtbBuyer, liveBuyer] = await buyersInIdOrder(3);
  const endpoint = await rtbEndpoint((_ping, res) => json(res, { bidMicros: rtbMicros }));
  closers.push(endpoint.close);
  const standing = await createBuyerCampaign(standingBuyer!, { vertical, bidMicros: 20 * USD });
  const rtb = await createBuyerCampaign(rtbBuyer!, {
    vertical,
    bidMicros: 1 * USD,
    rtb: { url: endpoint.url, timeoutMs: 1_000 },
  });
  // Its standing bid is $10: the live bid replaces it only because it is higher.
  const live = await createBuyerCampaign(liveBuyer!, { vertical, bidMicros: 10 * USD });
  const bidder = await liveBidder({ key: await buyerKey(liveBuyer!), bid: () => liveMicros });
  closers.push(() => bidder.close());
  const seller = await createSeller({ vertical, auction, reserveMicros: 5 * USD, maxAuctionMs: 2_000 });
  return { standingBuyer, rtbBuyer, liveBuyer, standing, rtb, live, endpoint, bidder, seller };
}

describe("RTB, live and standing bids in one auction (invariant 5)", () => {
  it("first price: the live 33 beats the RTB 27 and the standing 20, and pays its own bid", async () => {
    const m = await threeSources("first", 27 * USD, 33 * USD);
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
  });

  it("second price: the RTB 33 wins at the live 27 plus one cent; the live buyer hears lost/outbid", async () => {
    const m = await threeSources("second", 33 * USD, 27 * USD);
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
  });
});
