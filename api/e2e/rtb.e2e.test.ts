// RTB through the real stack: real HTTP endpoints on 127.0.0.1 answer the auction's pings; a higher RTB
// bid wins, and late, garbage, failing and declining endpoints are dropped with their reason codes.
import { afterEach, describe, expect, it } from "vitest";
import { json, type RtbHandler, rtbEndpoint } from "./bidders.ts";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller, uniq } from "./client.ts";

interface Offer {
  callId: string;
  status: string;
  buyerId?: string;
  buyerCampaignId?: string;
  priceMicros?: number;
  destination?: Record<string, string>;
}
type Loser = { campaignId: string; reason: string };

const endpoints: { close(): void }[] = [];
afterEach(() => {
  for (const e of endpoints.splice(0)) e.close();
});

/** A standing bidder at $20 and an RTB campaign answering with `handler`, in a vertical of their own. */
async function market(handler: RtbHandler, seller: Record<string, unknown> = {}, timeoutMs = 1_000) {
  const vertical = `v_${uniq().slice(0, 8)}`;
  const endpoint = await rtbEndpoint(handler);
  endpoints.push(endpoint);
  const standingBuyer = await createBuyer();
  const standing = await createBuyerCampaign(standingBuyer, { vertical, bidMicros: 20_000_000 });
  const rtbBuyer = await createBuyer();
  const rtb = await createBuyerCampaign(rtbBuyer, {
    vertical,
    bidMicros: 1_000_000,
    destination: { number: "+13055550123" },
    rtb: { url: endpoint.url, timeoutMs },
  });
  const s = await createSeller({
    vertical,
    reserveMicros: 5_000_000,
    auction: "first",
    maxAuctionMs: 300,
    ...seller,
  });
  const caller = randomCaller();
  const offer = async () => {
    const res = await call<Offer>("POST", "/v1/calls", {
      key: s.key,
      idempotencyKey: uniq(),
      body: {
        sellerCampaignId: s.sellerCampaignId,
        callerNumber: caller,
        callerState: "FL",
        callerZip: "33101",
      },
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  const losers = async (callId: string) =>
    (await call<{ auction: { losers: Loser[] } }>("GET", `/v1/calls/${callId}`)).body.auction.losers;
  return { endpoint, standingBuyer, standing, rtbBuyer, rtb, caller, offer, losers };
}

describe("RTB bidders", () => {
  it("routes to an RTB bid above the standing bid, at its price; the ping has no caller number", async () => {
    const m = await market((_ping, res) => json(res, { bidMicros: 31_000_000, bidId: "their-1" }));
    const offer = await m.offer();
    expect(offer).toMatchObject({
      status: "routed",
      buyerId: m.rtbBuyer,
      buyerCampaignId: m.rtb,
      priceMicros: 31_000_000,
      destination: { number: "+13055550123" },
    });
    expect(m.endpoint.pings).toHaveLength(1);
    const ping = m.endpoint.pings[0]!;
    expect(ping).toMatchObject({
      callId: offer.callId,
      campaignId: m.rtb,
      callerState: "FL",
      callerZip: "33101",
      areaCode: "305",
      reserveMicros: 5_000_000,
    });
    expect(ping.publisherId).toMatch(/^pub_[0-9a-f]{24}$/);
    expect(ping).not.toHaveProperty("callerNumber");
    expect(JSON.stringify(ping)).not.toContain(m.caller.slice(2));
    expect(await m.losers(offer.callId)).toContainEqual(
      expect.objectContaining({ campaignId: m.standing, reason: "outbid" }),
    );
  });

  it("sends the caller number when the seller campaign exposes caller id", async () => {
    const m = await market((_ping, res) => json(res, { bidMicros: 25_000_000 }), { exposeCallerId: true });
    const offer = await m.offer();
    expect(offer).toMatchObject({ status: "routed", buyerId: m.rtbBuyer, priceMicros: 25_000_000 });
    expect(m.endpoint.pings[0]!.callerNumber).toBe(m.caller);
  });

  it("drops an answer that comes after the deadline (rtb_timeout): the standing bidder wins on time", async () => {
    // The endpoint holds its answer until the test lets it go, after the routing instruction is back:
    // the offer can only return if the auction closed at its own 300 ms deadline without the answer.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let answered = false;
    const m = await market(async (_ping, res) => {
      await held;
      answered = true;
      json(res, { bidMicros: 90_000_000 });
    });
    const offer = await m.offer();
    expect(answered).toBe(false);
    release();
    expect(offer).toMatchObject({ status: "routed", buyerId: m.standingBuyer, priceMicros: 20_000_000 });
    expect(await m.losers(offer.callId)).toContainEqual(
      expect.objectContaining({ campaignId: m.rtb, reason: "rtb_timeout" }),
    );
  });

  it.each<[string, RtbHandler, string]>([
    ["garbage", (_p, res) => json(res, "<html>bid!</html>"), "rtb_malformed"],
    ["a fractional amount", (_p, res) => json(res, '{"bidMicros": 30000000.5}'), "rtb_malformed"],
    ["HTTP 500", (_p, res) => json(res, { bidMicros: 90_000_000 }, 500), "rtb_error"],
    ["a no-bid", (_p, res) => json(res, { bidMicros: 0, reason: "budget" }), "rtb_no_bid"],
  ])(
    "drops %s from the endpoint with its reason; the standing bidder wins",
    async (_name, handler, reason) => {
      const m = await market(handler);
      const offer = await m.offer();
      expect(offer).toMatchObject({ status: "routed", buyerId: m.standingBuyer, priceMicros: 20_000_000 });
      expect(await m.losers(offer.callId)).toContainEqual(
        expect.objectContaining({ campaignId: m.rtb, reason }),
      );
    },
  );

  it("never follows a redirect: a 302 loses as rtb_error and the redirect's target gets no ping", async () => {
    const target = await rtbEndpoint((_p, res) => json(res, { bidMicros: 90_000_000 }));
    endpoints.push(target);
    const m = await market((_p, res) => {
      res.writeHead(302, { location: target.url }).end();
    });
    const offer = await m.offer();
    expect(offer).toMatchObject({ status: "routed", buyerId: m.standingBuyer, priceMicros: 20_000_000 });
    expect(await m.losers(offer.callId)).toContainEqual(
      expect.objectContaining({ campaignId: m.rtb, reason: "rtb_error" }),
    );
    expect(m.endpoint.pings).toHaveLength(1);
    expect(target.pings).toHaveLength(0);
  });
});
