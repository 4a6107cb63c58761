// Auction receipts and replay through the real stack: a first-price call (inline auction: standing
// bids) and a second-price call (the AuctionActor: one bid comes from an RTB endpoint), three bidders
// each. Every party's receipt, a stranger's 404, the admin replay, and the receipt after the call's
// live documents expired (the stack keeps finished calls 20 s) is the one it read while live.
import { afterAll, describe, expect, it } from "vitest";
import { violations } from "../views/policy.ts";
import { buyerKey, json, rtbEndpoint } from "./bidders.ts";
import {
  call,
  createBuyer,
  createBuyerCampaign,
  createSeller,
  offerCall,
  randomCaller,
  uniq,
  waitFor,
} from "./client.ts";
import { superuserSqlClient } from "./db-roles.ts";

const USD = 1_000_000;
const closers: (() => void)[] = [];
afterAll(() => {
  for (const c of closers) c();
});

type Body = Record<string, unknown>;

/** Three buyers bidding 30, 25 and 20 dollars (the 25 from an RTB endpoint when `rtb`), reserve 10. */
async function market(auction: "first" | "second", rtb: boolean, reroute = false) {
  const vertical = `rc_${uniq().slice(0, 8)}`;
  const buyers = await Promise.all([createBuyer(), createBuyer(), createBuyer()]);
  const [top, mid, low] = buyers as [string, string, string];
  await createBuyerCampaign(top, { vertical, bidMicros: 30 * USD });
  if (rtb) {
    const endpoint = await rtbEndpoint((_p, res) => json(res, { bidMicros: 25 * USD }));
    closers.push(endpoint.close);
    await createBuyerCampaign(mid, {
      vertical,
      bidMicros: USD,
      rtb: { url: endpoint.url, timeoutMs: 1_000 },
    });
  } else await createBuyerCampaign(mid, { vertical, bidMicros: 25 * USD });
  await createBuyerCampaign(low, { vertical, bidMicros: 20 * USD });
  const seller = await createSeller({
    vertical,
    reserveMicros: 10 * USD,
    auction,
    maxAuctionMs: 1_500,
    ...(reroute ? { reroute: { max: 2, belowSec: 10 } } : {}),
  });
  const keys = { top: await buyerKey(top), mid: await buyerKey(mid), low: await buyerKey(low) };
  const offer = await offerCall<{ callId: string; status: string; buyerId: string }>(seller);
  expect(offer.body).toMatchObject({ status: "routed", buyerId: top });
  return { seller, ids: { top, mid, low }, keys, callId: offer.body.callId };
}

async function receipt(callId: string, key?: string) {
  return call<Body>("GET", `/v1/calls/${callId}/receipt`, key ? { key } : {});
}

/** The receipt once the events app recorded the auction (a 409 receipt_pending until then). */
async function recorded(callId: string, key: string, viewer: Parameters<typeof violations>[0]) {
  const r = await waitFor(
    () => receipt(callId, key),
    (x) => x.status !== 409,
  );
  expect(r.status).toBe(200);
  expect(violations(viewer, r.body)).toEqual([]);
  return r.body;
}

async function receiptsOf(m: Awaited<ReturnType<typeof market>>) {
  const b = (id: string) => ({ role: "buyer" as const, accountId: id });
  return {
    seller: await recorded(m.callId, m.seller.key, { role: "seller", accountId: m.seller.sellerId }),
    top: await recorded(m.callId, m.keys.top, b(m.ids.top)),
    mid: await recorded(m.callId, m.keys.mid, b(m.ids.mid)),
    low: await recorded(m.callId, m.keys.low, b(m.ids.low)),
    admin: (await receipt(m.callId)).body,
  };
}

function expectBuyerSeesOnlyItsOwn(body: Body, others: string[], otherAmounts: number[]) {
  const text = JSON.stringify(body);
  for (const id of others) expect(text).not.toContain(id);
  for (const a of otherAmounts) expect(text).not.toContain(`:${a}`);
}

async function strangersGet404(callId: string) {
  const stranger = await createBuyer(0);
  const otherSeller = await createSeller();
  for (const key of [await buyerKey(stranger), otherSeller.key]) {
    for (const path of ["receipt", "replay"]) {
      const r = await call<Body>("GET", `/v1/calls/${callId}/${path}`, { key });
      if (path === "receipt") expect(r.body).toMatchObject({ code: "call_unknown" });
      expect(r.status).toBe(path === "receipt" ? 404 : 403);
    }
  }
  const unknown = await receipt(`call_${uniq().replaceAll("-", "")}`);
  expect(unknown.status).toBe(404);
}

describe("auction receipts and replay", () => {
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
    for (const loser of [r.mid, r.low]) {
      expect(loser).not.toHaveProperty("clearingPriceMicros");
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
    expect(r.mid).not.toHaveProperty("clearingPriceMicros");
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
    expect(top).not.toHaveProperty("clearingPriceMicros");
    const replay = await call<Body>("GET", `/v1/calls/${m.callId}/replay`);
    expect(replay.body).toMatchObject({
      matches: true,
      recorded: { winner: { buyerId: m.ids.top, priceMicros: 25 * USD + 10_000 } },
      reroutes: [{ matches: true, recorded: { buyerId: m.ids.mid, priceMicros: fallback } }],
    });
  }, 60_000);

  it("a call refused at the gates has no receipt, live or expired; a buyer or seller key cannot replay", async () => {
    const seller = await createSeller({ vertical: `rc_${uniq().slice(0, 8)}` });
    const number = randomCaller();
    const dnc = await call("POST", "/v1/compliance/dnc", { body: { numbers: [number], scope: "exchange" } });
    expect(dnc.status).toBe(201);
    const refused = await offerCall<{ callId: string; status: string }>(seller, { callerNumber: number });
    expect(refused.body).toMatchObject({ status: "rejected" });
    expect(refused.body.callId).toBeTruthy();
    const r = await receipt(refused.body.callId, seller.key);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: "receipt_unavailable" });
    expect((await call("GET", `/v1/calls/${refused.body.callId}/replay`, { key: seller.key })).status).toBe(
      403,
    );
    // Expired, it answers the same from the call history.
    const archived = await waitFor(
      () => call<Body>("GET", `/v1/calls/${refused.body.callId}`, { key: seller.key }),
      (x) => x.body.archived === true,
      90_000,
    );
    expect(archived.body.archived).toBe(true);
    expect((await receipt(refused.body.callId, seller.key)).body).toMatchObject({
      code: "receipt_unavailable",
    });
    const stranger = await createSeller();
    expect((await receipt(refused.body.callId, stranger.key)).status).toBe(404);
  }, 120_000);

  it("a recorded decision the rules would not give is a mismatch, for the call and in the run's replay", async () => {
    const since = new Date(Date.now() - 1_000).toISOString();
    const m = await market("first", false);
    await receiptsOf(m);
    // An insider edits the recorded price, the row guard off for the one statement (as a DBA could).
    const insider = superuserSqlClient();
    const tamper = (price: number) =>
      insider.begin(async (tx) => {
        await tx.unsafe("alter table domain_events disable trigger domain_events_append_only");
        await tx`update domain_events set data = jsonb_set(data, '{winner,priceMicros}', ${price}::text::jsonb)
          where aggregate_id = ${m.callId} and type = 'auction.closed'`;
        await tx.unsafe("alter table domain_events enable trigger domain_events_append_only");
      });
    type Run = { checkedAuctions: number; mismatches: { callId: string }[] };
    const run = () => call<Run>("GET", `/v1/admin/replay?since=${encodeURIComponent(since)}`);
    try {
      await tamper(29 * USD);
      const replay = await call<Body>("GET", `/v1/calls/${m.callId}/replay`);
      expect(replay.body).toMatchObject({
        matches: false,
        recorded: { winner: { priceMicros: 29 * USD } },
        recomputed: { winner: { buyerId: m.ids.top, priceMicros: 30 * USD } },
      });
      expect((await run()).body.mismatches.map((x) => x.callId)).toEqual([m.callId]);
    } finally {
      await tamper(30 * USD);
      await insider.end();
    }
    expect((await call<Body>("GET", `/v1/calls/${m.callId}/replay`)).body.matches).toBe(true);
    const clean = await run();
    expect(clean.body.mismatches).toEqual([]);
    expect(clean.body.checkedAuctions).toBeGreaterThanOrEqual(1);
    expect((await call("GET", "/v1/admin/replay?since=yesterday")).body).toMatchObject({
      code: "validation_failed",
    });
  }, 60_000);
});
