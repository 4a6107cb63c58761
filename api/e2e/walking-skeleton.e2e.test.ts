// The walking skeleton through the real stack: Hono → daprd → CallActor → AuctionActor → BuyerActor,
// actor state in Redis under Dapr's key layout, and domain events via Dapr pub/sub into Postgres.
import { Redis } from "ioredis";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller, uniq } from "./client.ts";
import { sidecarHeaders } from "./stack.ts";

const redis = new Redis("redis://127.0.0.1:6380");
const sql = postgres("postgres://dce:dce@127.0.0.1:5433/dce", { max: 2, onnotice: () => undefined });
afterAll(async () => {
  redis.disconnect();
  await sql.end();
});

/** The aggregate's events once every type asked for has arrived (one write's events land concurrently). */
async function eventsFor(aggregateId: string, waitForTypes: string[], timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await sql<{ type: string; data: Record<string, unknown> }[]>`
      select type, data from domain_events where aggregate_id = ${aggregateId} order by seq`;
    if (waitForTypes.every((t) => rows.some((r) => r.type === t)) || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("walking skeleton", () => {
  it("routes an offered call to the buyer, keeps actor state in Redis and events in Postgres", async () => {
    const buyerId = await createBuyer(50_000_000);
    const campaignId = await createBuyerCampaign(buyerId, {
      bidMicros: 30_000_000,
      vertical: `v_${uniq().slice(0, 8)}`,
    });
    const campaign = await call<{ vertical: string }>("GET", `/v1/buyers/${buyerId}/campaigns/${campaignId}`);
    const seller = await createSeller({ vertical: campaign.body.vertical, reserveMicros: 10_000_000 });
    const caller = randomCaller();

    const offer = await call<Record<string, unknown>>("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: uniq(),
      body: {
        sellerCampaignId: seller.sellerCampaignId,
        callerNumber: caller,
        callerState: "FL",
        callerZip: "33101",
      },
    });
    expect(offer.status).toBe(201);
    expect(offer.body).toMatchObject({
      status: "routed",
      buyerId,
      buyerCampaignId: campaignId,
      destination: { number: "+13059870000" },
      priceMicros: 30_000_000,
      minDurationSec: 60,
      recordingDisclosure: true,
    });
    const callId = offer.body.callId as string;

    // Actor state is where Dapr keeps it: <app-id>||<ActorType>||<actor id>||<state key>.
    const callKey = `exchange-actors||CallActor||${callId}||doc`;
    expect(await redis.type(callKey)).toBe("hash");
    const stored = JSON.parse((await redis.hget(callKey, "data")) ?? "null");
    expect(stored.state.status).toBe("routed");
    // Standing bids only: the auction ran inline in the call's turn, with no AuctionActor document;
    // the call keeps the ranked bids for re-routing.
    expect(await redis.exists(`exchange-actors||AuctionActor||${callId}||doc`)).toBe(0);
    expect(stored.state.rerouteBids[0].bid.buyerId).toBe(buyerId);
    // The buyer's open holds sit beside its document, one hash field per call.
    const hold = JSON.parse(
      (await redis.hget(`exchange-actors||BuyerActor||${buyerId}||reservations`, callId)) ?? "null",
    );
    expect(hold.priceMicros).toBe(30_000_000);
    // The caller number is nowhere in clear.
    const digits = caller.slice(2);
    expect(JSON.stringify(stored)).not.toContain(digits);

    // A domain event went through Dapr pub/sub and the events app wrote it with drizzle.
    const rows = await eventsFor(callId, ["call.offered", "call.routed", "auction.closed"]);
    expect(rows.map((r) => r.type)).toEqual(
      expect.arrayContaining(["call.offered", "call.routed", "auction.closed"]),
    );
  });

  it("completes a billable call: the buyer is charged the clearing price once", async () => {
    const vertical = `v_${uniq().slice(0, 8)}`;
    const buyerId = await createBuyer(50_000_000);
    await createBuyerCampaign(buyerId, { vertical, bidMicros: 12_000_000, minDurationSec: 90 });
    const seller = await createSeller({
      vertical,
      reserveMicros: 1_000_000,
      payout: { type: "share", percent: 60 },
    });
    const offer = await call<{ callId: string; status: string }>("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: uniq(),
      body: { sellerCampaignId: seller.sellerCampaignId, callerNumber: randomCaller(), callerState: "FL" },
    });
    expect(offer.body.status).toBe("routed");
    const { callId } = offer.body;
    const events = `/v1/calls/${callId}/events`;
    expect((await call("POST", events, { key: seller.key, body: { type: "ringing" } })).status).toBe(200);
    expect((await call("POST", events, { key: seller.key, body: { type: "connected" } })).status).toBe(200);
    const done = await call("POST", events, {
      key: seller.key,
      body: { type: "completed", durationSec: 95 },
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      status: "completed",
      billable: true,
      chargedMicros: 12_000_000,
      payoutMicros: 7_200_000,
    });

    const again = await call("POST", events, {
      key: seller.key,
      body: { type: "completed", durationSec: 95 },
    });
    expect(again.status).toBe(409);
    expect(again.headers.get("content-type")).toContain("application/problem+json");
    expect(again.body).toMatchObject({ code: "illegal_transition" });

    // The CallActor retrying its capture (after a crash) gets the first charge replayed, not a second one.
    const replay = await fetch(`http://127.0.0.1:3502/v1.0/actors/BuyerActor/${buyerId}/method/capture`, {
      method: "POST",
      headers: { "content-type": "application/json", ...sidecarHeaders() },
      body: JSON.stringify([{ callId }]),
    });
    expect(await replay.json()).toEqual({ ok: true, value: { callId, chargedMicros: 12_000_000 } });

    const balance = await call("GET", `/v1/buyers/${buyerId}/balance`);
    expect(balance.body).toEqual({
      balanceMicros: 38_000_000,
      creditLimitMicros: 0,
      reservedMicros: 0,
      availableMicros: 38_000_000,
    });
    const rows = await eventsFor(callId, ["call.billable"]);
    expect(rows.filter((r) => r.type === "call.billable")).toHaveLength(1);
    expect(rows.find((r) => r.type === "call.billable")?.data).toMatchObject({
      chargedMicros: 12_000_000,
      payoutMicros: 7_200_000,
    });
  });
});
