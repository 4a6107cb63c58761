// Payout holds through the real stack: a billable call's payout is pending and a payout run pays
// nothing; after the hold (an API replica on a test clock 7 days on) it is available and paid; a
// refund after the payout is owed back, and the events app's release sweep (no request) nets it
// against the seller's next earnings, which the next run pays.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createSeller, randomCaller, uniq, waitFor } from "./client.ts";
import { freshMarket } from "./market.ts";
import { startReplica } from "./replica.ts";
import { adminKey } from "./stack.ts";
import { TestClock } from "./test-clock.ts";

const clock = new TestClock();
let replica: Awaited<ReturnType<typeof startReplica>>;
beforeAll(async () => {
  replica = await startReplica({}, clock.now);
});
afterAll(() => replica?.stop());

type Balance = {
  payableMicros: number;
  pendingMicros: number;
  paidOutMicros: number;
  receivableMicros: number;
  earnedMicros: number;
  refundedMicros: number;
  payoutHoldDays: number;
};
type Line = {
  kind: string;
  reference: string;
  occurredAt: string;
  availability?: string;
  availableAt?: string;
};

async function billableCall(seller: { key: string; sellerCampaignId: string }) {
  const offer = await call<{ callId: string; status: string }>("POST", "/v1/calls", {
    key: seller.key,
    idempotencyKey: uniq(),
    body: { sellerCampaignId: seller.sellerCampaignId, callerNumber: randomCaller(), callerState: "FL" },
  });
  expect(offer.body.status).toBe("routed");
  const events = `/v1/calls/${offer.body.callId}/events`;
  await call("POST", events, { key: seller.key, body: { type: "connected" } });
  await call("POST", events, { key: seller.key, body: { type: "completed", durationSec: 120 } });
  return offer.body.callId;
}

async function payoutAt(base: string, sellerId: string) {
  const res = await fetch(`${base}/v1/payouts`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${adminKey()}`,
      "content-type": "application/json",
      "idempotency-key": uniq(),
    },
    body: JSON.stringify({ sellerIds: [sellerId] }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { items: { sellerId: string; amountMicros: number }[] }).items;
}

describe("payout holds", () => {
  it("pending until the hold ends, paid after; a refund after payout is owed and netted by the next earnings", async () => {
    const { buyerId: buyer, seller } = await freshMarket({
      buyer: { bidMicros: 20_000_000, minDurationSec: 60 },
      seller: { reserveMicros: 1_000_000, payout: { type: "share", percent: 75 } },
    });
    const s = seller.sellerId;
    const balance = async () =>
      (await call<Balance>("GET", `/v1/sellers/${s}/balance`, { key: seller.key })).body;

    // A billable call: its 15 payout is pending for the default 7 days; a payout run pays nothing.
    const first = await billableCall(seller);
    await waitFor(balance, (b) => b.pendingMicros === 15_000_000);
    expect(await balance()).toMatchObject({ payableMicros: 0, paidOutMicros: 0, payoutHoldDays: 7 });
    expect(await payoutAt("http://127.0.0.1:8080", s)).toEqual([]);
    const month = new Date().toISOString().slice(0, 7);
    const stmt = await call<{ lines: Line[] }>("GET", `/v1/statements/${s}?month=${month}`, {
      key: seller.key,
    });
    const line = stmt.body.lines.find((l) => l.reference === first)!;
    expect(line).toMatchObject({ kind: "charge", availability: "pending" });
    expect(Date.parse(line.availableAt!) - Date.parse(line.occurredAt)).toBe(7 * 86_400_000);

    // Seven days on (the replica's clock), the payout run releases it and pays it.
    clock.set(new Date(Date.parse(line.availableAt!) + 60_000).toISOString());
    expect(await payoutAt(replica.base, s)).toEqual([{ sellerId: s, amountMicros: 15_000_000 }]);
    expect(await balance()).toMatchObject({ pendingMicros: 0, payableMicros: 0, paidOutMicros: 15_000_000 });

    // Refunded after the payout: the seller owes its 15 back (a receivable), its payable stays at zero.
    const refund = await call("POST", `/v1/calls/${first}/refund`, { body: { reason: "not a lead" } });
    expect(refund.status).toBe(201);
    expect(await balance()).toMatchObject({ payableMicros: 0, receivableMicros: 15_000_000 });

    // A short hold now: the next two calls' 30 are released by the sweep alone and pay the 15 owed first.
    const hold = await call("PUT", `/v1/sellers/${s}/payout-hold`, { body: { payoutHoldDays: 2 / 86_400 } });
    expect(hold.status).toBe(200);
    expect(hold.body).toEqual({ sellerId: s, payoutHoldDays: 2 / 86_400 });
    const later = [await billableCall(seller), await billableCall(seller)];
    const after = await waitFor(
      balance,
      (b) => b.earnedMicros === 45_000_000 && b.pendingMicros === 0,
      60_000,
    );
    expect(after).toMatchObject({
      payableMicros: 15_000_000,
      receivableMicros: 0,
      refundedMicros: 15_000_000,
      paidOutMicros: 15_000_000,
    });
    const lines = (
      await call<{ lines: Line[] }>("GET", `/v1/statements/${s}?month=${month}`, { key: seller.key })
    ).body.lines;
    expect(lines.filter((l) => l.kind === "charge").map((l) => [l.reference, l.availability])).toEqual([
      [first, "refunded"],
      [later[0], "available"],
      [later[1], "available"],
    ]);
    expect(await payoutAt("http://127.0.0.1:8080", s)).toEqual([{ sellerId: s, amountMicros: 15_000_000 }]);
    expect(await balance()).toMatchObject({
      payableMicros: 0,
      receivableMicros: 0,
      paidOutMicros: 30_000_000,
    });

    const recon = await call<{ drift: { buyerId: string }[]; trialBalance: unknown }>(
      "GET",
      "/v1/admin/reconciliation",
    );
    expect(recon.body.drift.filter((d) => d.buyerId === buyer)).toEqual([]);
    expect(recon.body.trialBalance).toEqual({ totalMicros: 0, unbalancedPostings: 0 });
  });

  it("refuses a bad hold and an unknown seller with problem codes", async () => {
    const seller = await createSeller({});
    const bad = await call("PUT", `/v1/sellers/${seller.sellerId}/payout-hold`, {
      body: { payoutHoldDays: -1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: "validation_failed" });
    const unknown = await call("PUT", `/v1/sellers/sel_${"0".repeat(28)}/payout-hold`, {
      body: { payoutHoldDays: 1 },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: "seller_unknown" });
    const asSeller = await call("PUT", `/v1/sellers/${seller.sellerId}/payout-hold`, {
      key: seller.key,
      body: { payoutHoldDays: 0 },
    });
    expect(asSeller.status).toBe(403);
  });
});
