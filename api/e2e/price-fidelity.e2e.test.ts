// Price fidelity through the real stack: a buyer lowers its standing bid after the auction read the
// targeting index but before its actor reserves. The race is made deterministic by the same buyer's RTB
// campaign: the auction pings it after reading the index, and the test's endpoint answers only once the
// buyer's PATCH has been applied, so the reservation always meets the lowered bid.
import { afterEach, describe, expect, it } from "vitest";
import { buyerKey, rtbEndpoint } from "./bidders.ts";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller, uniq } from "./client.ts";

interface Offer {
  callId: string;
  status: string;
  buyerId?: string;
  buyerCampaignId?: string;
  priceMicros?: number;
}
type Loser = { campaignId: string; reason: string };
type Balance = { balanceMicros: number; reservedMicros: number };

const endpoints: { close(): void }[] = [];
afterEach(() => {
  for (const e of endpoints.splice(0)) e.close();
});

/**
 * Buyer A bids $30 on a standing campaign and has an RTB campaign in the same vertical; buyer C bids $20.
 * When A's endpoint is pinged (the index was read by then), A lowers its standing bid to `loweredTo`
 * and only then declines the ping.
 */
async function race(loweredTo: number, auction: "first" | "second") {
  const vertical = `v_${uniq().slice(0, 8)}`;
  const a = await createBuyer();
  const key = await buyerKey(a);
  const standing = await createBuyerCampaign(a, { vertical, bidMicros: 30_000_000 });
  const patched: { status: number; beforeDeadline: boolean }[] = [];
  const endpoint = await rtbEndpoint(async (ping, res) => {
    const patch = await call("PATCH", `/v1/buyers/${a}/campaigns/${standing}`, {
      key,
      body: { bidMicros: loweredTo },
    });
    patched.push({ status: patch.status, beforeDeadline: Date.now() < Date.parse(String(ping.expiresAt)) });
    res.writeHead(204).end();
  });
  endpoints.push(endpoint);
  await createBuyerCampaign(a, {
    vertical,
    bidMicros: 1_000_000,
    rtb: { url: endpoint.url, timeoutMs: 2_000 },
  });
  const c = await createBuyer();
  const other = await createBuyerCampaign(c, { vertical, bidMicros: 20_000_000 });
  const seller = await createSeller({ vertical, reserveMicros: 5_000_000, auction, maxAuctionMs: 2_000 });
  const res = await call<Offer>("POST", "/v1/calls", {
    key: seller.key,
    idempotencyKey: uniq(),
    body: { sellerCampaignId: seller.sellerCampaignId, callerNumber: randomCaller(), callerState: "FL" },
  });
  expect(res.status).toBe(201);
  // The hook ran: the bid was lowered while the auction waited, before its deadline (2 s, the longest a
  // seller may set). Were the PATCH slower than that, the auction would not have waited for it.
  expect(patched).toEqual([{ status: 200, beforeDeadline: true }]);
  const offer = res.body;
  const complete = async () => {
    for (const body of [{ type: "connected" }, { type: "completed", durationSec: 75 }]) {
      const r = await call<{ chargedMicros?: number }>("POST", `/v1/calls/${offer.callId}/events`, {
        key: seller.key,
        body,
      });
      expect(r.status).toBe(200);
    }
    const done = await call<{ chargedMicros: number; billable: boolean }>("GET", `/v1/calls/${offer.callId}`);
    return done.body;
  };
  const losers = async () =>
    (await call<{ auction: { losers: Loser[] } }>("GET", `/v1/calls/${offer.callId}`)).body.auction.losers;
  const balance = async (buyerId: string) =>
    (await call<Balance>("GET", `/v1/buyers/${buyerId}/balance`)).body;
  return { a, c, standing, other, offer, complete, losers, balance };
}

describe("price fidelity: a bid lowered between the index read and the reservation", () => {
  it("first price: the lowered bidder refuses (bid_changed) and the next bidder wins at its own bid", async () => {
    const r = await race(12_000_000, "first");
    expect(r.offer).toMatchObject({
      status: "routed",
      buyerId: r.c,
      buyerCampaignId: r.other,
      priceMicros: 20_000_000,
    });
    expect(await r.losers()).toContainEqual(
      expect.objectContaining({ campaignId: r.standing, reason: "bid_changed" }),
    );
    expect(await r.balance(r.a)).toMatchObject({ balanceMicros: 100_000_000, reservedMicros: 0 });
    expect(await r.complete()).toMatchObject({ billable: true, chargedMicros: 20_000_000 });
    expect(await r.balance(r.a)).toMatchObject({ balanceMicros: 100_000_000, reservedMicros: 0 });
    expect(await r.balance(r.c)).toMatchObject({ balanceMicros: 80_000_000, reservedMicros: 0 });
  });

  it("second price: a bid lowered below its clearing price refuses; the next bidder wins at reserve + 1 cent", async () => {
    const r = await race(15_000_000, "second");
    expect(r.offer).toMatchObject({ status: "routed", buyerId: r.c, priceMicros: 5_010_000 });
    expect(await r.losers()).toContainEqual(
      expect.objectContaining({ campaignId: r.standing, reason: "bid_changed" }),
    );
    expect(await r.balance(r.a)).toMatchObject({ reservedMicros: 0 });
  });

  it("second price: a bid lowered but still above its clearing price wins, reserved and charged at that price", async () => {
    const r = await race(25_000_000, "second");
    expect(r.offer).toMatchObject({
      status: "routed",
      buyerId: r.a,
      buyerCampaignId: r.standing,
      priceMicros: 20_010_000,
    });
    expect(await r.balance(r.a)).toMatchObject({ balanceMicros: 100_000_000, reservedMicros: 20_010_000 });
    expect(await r.complete()).toMatchObject({ billable: true, chargedMicros: 20_010_000 });
    expect(await r.balance(r.a)).toMatchObject({
      balanceMicros: 100_000_000 - 20_010_000,
      reservedMicros: 0,
    });
  });

  it("a re-route after a no-answer passes over a fallback bid lowered since the offer", async () => {
    // a $30, b $25, c $20 (first price). While the call rings at a, b lowers its bid to $10; a does not
    // answer: b's $25 is above its bid now, so the call goes to c at $20.
    const vertical = `v_${uniq().slice(0, 8)}`;
    const [a, b, c] = [await createBuyer(), await createBuyer(), await createBuyer()];
    const [, lowered, last] = [
      await createBuyerCampaign(a, { vertical, bidMicros: 30_000_000 }),
      await createBuyerCampaign(b, { vertical, bidMicros: 25_000_000 }),
      await createBuyerCampaign(c, { vertical, bidMicros: 20_000_000 }),
    ];
    const seller = await createSeller({
      vertical,
      reserveMicros: 1_000_000,
      reroute: { max: 2, belowSec: 10 },
    });
    const first = await call<Offer>("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: uniq(),
      body: { sellerCampaignId: seller.sellerCampaignId, callerNumber: randomCaller(), callerState: "FL" },
    });
    expect(first.body).toMatchObject({ status: "routed", buyerId: a, priceMicros: 30_000_000 });
    const patch = await call("PATCH", `/v1/buyers/${b}/campaigns/${lowered}`, {
      key: await buyerKey(b),
      body: { bidMicros: 10_000_000 },
    });
    expect(patch.status).toBe(200);
    const rerouted = await call<{ decision: Offer }>("POST", `/v1/calls/${first.body.callId}/events`, {
      key: seller.key,
      body: { type: "failed", reason: "no_answer" },
    });
    expect(rerouted.body.decision).toMatchObject({
      status: "routed",
      buyerId: c,
      buyerCampaignId: last,
      priceMicros: 20_000_000,
    });
    const bBalance = await call<Balance>("GET", `/v1/buyers/${b}/balance`);
    expect(bBalance.body).toMatchObject({ reservedMicros: 0 });
  });
});
