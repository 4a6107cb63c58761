// Bounded actor state through the real stack (retention DCE_CALL_RETENTION_SEC, short in the stack the
// tests start: api/e2e/stack.ts): a finished call's Redis keys, its AuctionActor document included,
// expire after the retention; GET still answers from Postgres; a late event and a reused offer key
// get 409 call_archived and wake no empty actor.
import { Redis } from "ioredis";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { json, rtbEndpoint } from "./bidders.ts";
import {
  call,
  createBuyer,
  createBuyerCampaign,
  createSeller,
  randomCaller,
  uniq,
  waitFor,
} from "./client.ts";

const redis = new Redis("redis://127.0.0.1:6380");
const sql = postgres("postgres://dce:dce@127.0.0.1:5433/dce", { max: 2, onnotice: () => undefined });
const endpoint = await rtbEndpoint((_ping, res) => json(res, { bidMicros: 0, reason: "not today" }));
afterAll(async () => {
  endpoint.close();
  redis.disconnect();
  await sql.end();
});

const callKey = (id: string) => `exchange-actors||CallActor||${id}||doc`;
const auctionKey = (id: string) => `exchange-actors||AuctionActor||${id}||doc`;

/** Every Redis key naming the call, with its remaining life in ms (-1: none). */
async function keysOf(callId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const keys of redis.scanStream({ match: `*${callId}*`, count: 1000 })) {
    for (const k of keys as string[]) out[k] = await redis.pttl(k);
  }
  return out;
}

describe("finished calls leave Redis", () => {
  it("expires a finished call's documents and side keys; GET answers from Postgres; late events get 409", async () => {
    const vertical = `v_${uniq().slice(0, 8)}`;
    const buyerId = await createBuyer(50_000_000);
    await createBuyerCampaign(buyerId, { vertical, bidMicros: 12_000_000, minDurationSec: 30 });
    // An RTB campaign among the candidates: the auction runs in an AuctionActor, with a document.
    const rtbBuyer = await createBuyer();
    await createBuyerCampaign(rtbBuyer, {
      vertical,
      bidMicros: 1_000_000,
      rtb: { url: endpoint.url, timeoutMs: 200 },
    });
    const seller = await createSeller({ vertical, reserveMicros: 1_000_000, maxAuctionMs: 300 });
    const offerKey = uniq();
    const offerBody = {
      sellerCampaignId: seller.sellerCampaignId,
      callerNumber: randomCaller(),
      callerState: "FL",
    };
    const offer = await call<{ callId: string; status: string }>("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: offerKey,
      body: offerBody,
    });
    expect(offer.body).toMatchObject({ status: "routed", buyerId });
    const { callId } = offer.body;
    const events = `/v1/calls/${callId}/events`;
    expect(await redis.exists(auctionKey(callId))).toBe(1);
    for (const type of ["ringing", "connected"]) {
      expect((await call("POST", events, { key: seller.key, body: { type } })).status).toBe(200);
    }
    // While the call can change, its document never expires; the auction's is only bounded.
    expect(await redis.pttl(callKey(callId))).toBe(-1);
    expect(await redis.pttl(auctionKey(callId))).toBeGreaterThan(86_000_000);
    const done = await call("POST", events, {
      key: seller.key,
      idempotencyKey: `done-${callId}`,
      body: { type: "completed", durationSec: 45 },
    });
    expect(done.body).toMatchObject({ status: "completed", billable: true, chargedMicros: 12_000_000 });

    // Final: both documents expire together, within the retention; nothing else per call is unbounded.
    const live = await keysOf(callId);
    const callTtl = live[callKey(callId)] ?? -2;
    expect(callTtl).toBeGreaterThan(0);
    expect(callTtl).toBeLessThanOrEqual(60_000); // the stack the tests start keeps finished calls 20 s
    expect(Math.abs((live[auctionKey(callId)] ?? -2) - callTtl)).toBeLessThan(2_000);
    for (const [k, ttl] of Object.entries(live)) {
      expect(ttl, `${k} has no expiry`).toBeGreaterThan(0);
      expect(ttl, `${k} outlives the call`).toBeLessThanOrEqual(callTtl + 1_000);
    }
    expect(live).toHaveProperty([`dce:settled:${buyerId}:${callId}`]);
    expect(await redis.zscore("dce:call-sweep", callId)).toBeNull();

    // The read model has the final call before its documents go.
    await waitFor(
      () => sql`select status from calls where call_id = ${callId}`,
      (rows) => rows[0]?.status === "completed",
    );
    await new Promise((r) => setTimeout(r, callTtl + 500));
    const left = await keysOf(callId);
    // The buyer's settlement record (read only to replay this call's capture) went with the call.
    expect(left).toEqual({});

    const got = await call<Record<string, unknown>>("GET", `/v1/calls/${callId}`, { key: seller.key });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      callId,
      status: "completed",
      archived: true,
      sellerId: seller.sellerId,
      billable: true,
      chargedMicros: 12_000_000,
      durationSec: 45,
      decision: { status: "routed", buyerId, priceMicros: 12_000_000 },
    });
    const asBuyer = await call<Record<string, unknown>>("GET", `/v1/calls/${callId}`, {
      key: (
        await call<{ key: string }>("POST", "/v1/api-keys", { body: { accountId: buyerId, role: "buyer" } })
      ).body.key,
    });
    expect(asBuyer.body).toMatchObject({ callId, status: "completed", archived: true });
    expect(asBuyer.body).not.toHaveProperty("payoutMicros");

    // A late event, even a replay of the completion, and a reused offer key: a clear 409, nothing woken.
    const eventCount = async () =>
      Number((await sql`select count(*) from domain_events where aggregate_id = ${callId}`)[0]?.count);
    const before = await eventCount();
    for (const late of [
      { body: { type: "failed", reason: "no_answer" } },
      { body: { type: "completed", durationSec: 45 }, idempotencyKey: `done-${callId}` },
    ]) {
      const res = await call<Record<string, unknown>>("POST", events, { key: seller.key, ...late });
      expect(res.status).toBe(409);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.body).toMatchObject({ code: "call_archived", status: 409 });
    }
    const again = await call<Record<string, unknown>>("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: offerKey,
      body: offerBody,
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: "call_archived" });
    expect(await keysOf(callId)).toEqual({});
    expect(await eventCount()).toBe(before);
    // Another seller still learns nothing of it.
    const stranger = await createSeller({ vertical });
    expect((await call("GET", `/v1/calls/${callId}`, { key: stranger.key })).status).toBe(404);
  }, 120_000);
});
