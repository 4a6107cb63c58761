// A dispute's buyer credit lost the way a Redis crash loses it (the buyer's document put back to before
// the credit, while the ledger kept the refund) heals on the decision's retry: the decided dispute
// stays decided (409) and its credit is sent again under its one refund id (`rfd_<disputeId>`), so
// the buyer's actor agrees with the ledger again and a further retry credits nothing more.
import { afterAll, describe, expect, it } from "vitest";
import { isClean, reconcileUntilClean } from "../../scripts/reconcile.ts";
import { buyerKey } from "./bidders.ts";
import { call, offerCall, waitFor } from "./client.ts";
import { redisClient } from "./compliance-helpers.ts";
import { freshMarket } from "./market.ts";

const since = new Date().toISOString();
const redis = redisClient();
const docKey = (id: string) => `exchange-actors||BuyerActor||${id}||doc`;
afterAll(() => redis.disconnect());

const balanceOf = async (buyerId: string) =>
  (await call<{ balanceMicros: number }>("GET", `/v1/buyers/${buyerId}/balance`)).body.balanceMicros;

describe("a dispute's lost buyer credit", () => {
  it("is credited again, once, when the decision is retried", async () => {
    const { buyerId, seller } = await freshMarket({
      prefix: "dspc",
      buyer: { bidMicros: 20_000_000, minDurationSec: 60 },
      seller: { reserveMicros: 1_000_000, payout: { type: "share", percent: 75 } },
    });
    const bKey = await buyerKey(buyerId);
    const offer = await offerCall<{ callId: string; status: string }>(seller);
    expect(offer.body.status).toBe("routed");
    const callId = offer.body.callId;
    const events = `/v1/calls/${callId}/events`;
    await call("POST", events, { key: seller.key, body: { type: "connected" } });
    await call("POST", events, { key: seller.key, body: { type: "completed", durationSec: 120 } });
    await waitFor(
      () => call<{ billable: boolean | null }>("GET", `/v1/calls/${callId}`),
      (r) => r.body.billable === true,
    );
    // Billed once the charge is in the ledger (the dispute's refund needs it).
    await waitFor(
      () =>
        call<{ items: { reference: string }[] }>("GET", "/v1/ledger/postings?accountId=revenue&limit=500"),
      (r) => r.body.items.some((i) => i.reference === callId),
    );
    expect(await balanceOf(buyerId)).toBe(80_000_000);
    const opened = await call<{ id: string; status: string }>("POST", `/v1/calls/${callId}/disputes`, {
      key: bKey,
      body: { reason: "spam" },
    });
    expect([opened.status, opened.body.status], JSON.stringify(opened.body)).toEqual([201, "open"]);
    const id = opened.body.id;

    // The crash: the decision's refund is in the ledger, its credit of the buyer's document is lost.
    const before = await redis.hget(docKey(buyerId), "data");
    const decision = { decision: "partial", refundMicros: 5_000_000, note: "half a lead" };
    const decided = await call("POST", `/v1/disputes/${id}/decision`, { body: decision });
    expect(decided.status).toBe(200);
    expect(await balanceOf(buyerId)).toBe(85_000_000);
    await redis.multi().hset(docKey(buyerId), "data", before!).hincrby(docKey(buyerId), "version", 1).exec();
    expect(await balanceOf(buyerId)).toBe(80_000_000);
    const drifted = await reconcileUntilClean(since, 5, 0);
    expect(drifted.drift).toMatchObject([
      { buyerId, ledgerBalanceMicros: 85_000_000, actorBalanceMicros: 80_000_000 },
    ]);

    // The retry: still decided, and the credit goes again under the dispute's refund id.
    const retried = await call<{ code: string }>("POST", `/v1/disputes/${id}/decision`, { body: decision });
    expect([retried.status, retried.body.code]).toEqual([409, "dispute_decided"]);
    expect(await balanceOf(buyerId)).toBe(85_000_000);
    const clean = await reconcileUntilClean(since, 30);
    expect(clean.drift).toEqual([]);
    expect(isClean(clean)).toBe(true);
    // Once per refund id: a further retry credits nothing more.
    const third = await call("POST", `/v1/disputes/${id}/decision`, { body: decision });
    expect(third.status).toBe(409);
    expect(await balanceOf(buyerId)).toBe(85_000_000);
  }, 180_000);
});
