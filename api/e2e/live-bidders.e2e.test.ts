// Live bidders through the real stack: buyers connected to GET /v1/live receive opportunities, bid over
// the WebSocket, and each hears only its own outcome; a silent bidder cannot hold the auction past its
// deadline.
import { afterEach, describe, expect, it } from "vitest";
import { buyerKey, type LiveMessage, liveBidder } from "./bidders.ts";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller, uniq } from "./client.ts";
import { API, adminKey } from "./stack.ts";

type Bidder = Awaited<ReturnType<typeof liveBidder>>;
const open: Bidder[] = [];
afterEach(() => {
  for (const b of open.splice(0)) b.close();
});

async function connect(opts: Parameters<typeof liveBidder>[0]) {
  const b = await liveBidder(opts);
  open.push(b);
  return b;
}

async function offer(seller: { key: string; sellerCampaignId: string }, caller = randomCaller()) {
  const res = await call<{ callId: string; status: string; buyerId?: string; priceMicros?: number }>(
    "POST",
    "/v1/calls",
    {
      key: seller.key,
      idempotencyKey: uniq(),
      body: {
        sellerCampaignId: seller.sellerCampaignId,
        callerNumber: caller,
        callerState: "FL",
        callerZip: "33101",
      },
    },
  );
  expect(res.status).toBe(201);
  return res.body;
}

type Loser = { buyerId: string; campaignId: string; amountMicros: number; reason: string };
const auctionOf = async (callId: string) =>
  (
    await call<{ auction: { durationMs: number; bids: number; losers: Loser[] } }>(
      "GET",
      `/v1/calls/${callId}`,
    )
  ).body.auction;

const about = (callId: string) => (m: LiveMessage) => m.callId === callId;

describe("live bidders", () => {
  it("routes to the best live bid; the winner hears won, the other live buyer only its own lost", async () => {
    const vertical = `v_${uniq().slice(0, 8)}`;
    const [a, b, standing] = await Promise.all([createBuyer(), createBuyer(), createBuyer()]);
    const campaignA = await createBuyerCampaign(a, { vertical, bidMicros: 10_000_000 });
    const campaignB = await createBuyerCampaign(b, { vertical, bidMicros: 10_000_000 });
    const campaignStanding = await createBuyerCampaign(standing, { vertical, bidMicros: 20_000_000 });
    const seller = await createSeller({ vertical, reserveMicros: 5_000_000, maxAuctionMs: 2_000 });
    const bidderA = await connect({ key: await buyerKey(a), bid: () => 40_000_000 });
    const bidderB = await connect({ key: await buyerKey(b), viaSubprotocol: true, bid: () => 30_000_000 });
    const caller = randomCaller();

    const routed = await offer(seller, caller);
    expect(routed).toMatchObject({ status: "routed", buyerId: a, priceMicros: 40_000_000 });
    // Both live bids and the standing bid were ranked: the losers are the other two, outbid.
    const auction = await auctionOf(routed.callId);
    expect(auction.bids).toBe(3);
    expect(auction.losers.map((l) => [l.buyerId, l.campaignId, l.amountMicros, l.reason]).sort()).toEqual(
      [
        [b, campaignB, 30_000_000, "outbid"],
        [standing, campaignStanding, 20_000_000, "outbid"],
      ].sort(),
    );

    const opportunity = await bidderA.next((m) => m.type === "opportunity" && m.callId === routed.callId);
    expect(opportunity).toMatchObject({
      auctionId: routed.callId,
      campaignId: campaignA,
      vertical,
      callerState: "FL",
      callerZip: "33101",
      areaCode: "305",
    });
    // The seller's reserve is not the buyer's to see (api/views/policy.ts), not even as a floor.
    expect(opportunity).not.toHaveProperty("reserveMicros");
    expect(Date.parse(opportunity.deadline as string)).toBeGreaterThan(Date.now() - 5_000);
    expect(await bidderA.next((m) => m.type === "won" && m.callId === routed.callId)).toEqual({
      type: "won",
      callId: routed.callId,
      campaignId: campaignA,
      priceMicros: 40_000_000,
    });
    expect(await bidderB.next((m) => m.type === "lost" && m.callId === routed.callId)).toEqual({
      type: "lost",
      callId: routed.callId,
      campaignId: campaignB,
      reason: "outbid",
    });
    const seenByB = JSON.stringify(bidderB.messages.filter(about(routed.callId)));
    expect(seenByB).not.toContain(campaignA);
    expect(seenByB).not.toContain("40000000");
    expect(`${JSON.stringify(bidderA.messages)}${seenByB}`).not.toContain(caller.slice(2));
  });

  it("does not wait past the deadline for a live buyer who stays silent", async () => {
    const vertical = `v_${uniq().slice(0, 8)}`;
    const [silent, standing] = await Promise.all([createBuyer(), createBuyer()]);
    const campaign = await createBuyerCampaign(silent, { vertical, bidMicros: 10_000_000 });
    await createBuyerCampaign(standing, { vertical, bidMicros: 20_000_000 });
    const seller = await createSeller({ vertical, maxAuctionMs: 250 });
    const bidder = await connect({ key: adminKey(), buyerId: silent }); // admin, acting for the buyer

    const routed = await offer(seller);
    expect(routed).toMatchObject({ status: "routed", buyerId: standing, priceMicros: 20_000_000 });
    // It waited for the silent live buyer until the deadline, and then closed without it.
    expect((await auctionOf(routed.callId)).durationMs).toBeGreaterThanOrEqual(240); // 250, less the 2 ms early exit and timer slack
    await bidder.next((m) => m.type === "lost" && m.callId === routed.callId);

    // A bid after the auction closed is refused, not counted.
    bidder.send({ type: "bid", callId: routed.callId, campaignId: campaign, bidMicros: 99_000_000 });
    expect(await bidder.next((m) => m.type === "error")).toMatchObject({
      code: "not_open",
      callId: routed.callId,
    });
  });

  it("refuses an upgrade without a valid key, and a seller key", async () => {
    await expect(liveBidder({ key: "dce_buyer_000000000000_notavalidkeyatall000" })).rejects.toThrow(
      /HTTP 401/,
    );
    const seller = await createSeller();
    await expect(liveBidder({ key: seller.key })).rejects.toThrow(/HTTP 403/);
    const plain = await fetch(`${API}/v1/live`, { headers: { authorization: `Bearer ${adminKey()}` } });
    expect(plain.status).toBe(400); // admin without ?buyerId=
  });
});
