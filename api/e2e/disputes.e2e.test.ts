// Disputes through the real stack: the buyer opens, the exchange settles what the call's own data
// decides (a short recorded carrier call accepted, a duplicate it never saw rejected), an admin
// decides the rest (partial, reject, accept); the ledger, both balances, statements and the
// exchange's revenue move in proportion; both parties see the timeline (the seller without the
// buyer's evidence), get webhooks, and nobody else sees anything; the window is the seller campaign's.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { violations } from "../views/policy.ts";
import { buyerKey } from "./bidders.ts";
import { attr, twilioPost } from "./carrier.ts";
import { leg, market } from "./carrier-market.ts";
import { call, createBuyer, createSeller, offerCall, randomCaller, waitFor } from "./client.ts";
import { freshMarket } from "./market.ts";
import { callIdOf, sid, voiceWebhook } from "./media-calls.ts";

type Step = { at: string; status: string; by: string; note?: string };
type Dispute = {
  id: string;
  callId: string;
  status: string;
  refundMicros: number;
  sellerClawbackMicros?: number;
  marginClawbackMicros?: number;
  evidence?: string;
  timeline: Step[];
};

/** A loopback webhook receiver keeping every body. */
async function receiver() {
  const received: { type: string; data: Record<string, unknown> }[] = [];
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    if (body) received.push(JSON.parse(body));
    res.writeHead(req.method === "GET" ? 200 : 204).end(req.method === "GET" ? "media" : undefined);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => {
    server.closeAllConnections();
    server.close();
  };
  return { base, received, close };
}

const hooks: Awaited<ReturnType<typeof receiver>>[] = [];
const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
afterAll(() => {
  for (const h of hooks) h.close();
  redis.disconnect();
});

async function subscribe(key: string) {
  const rx = await receiver();
  hooks.push(rx);
  const res = await call("POST", "/v1/webhooks", {
    key,
    body: { url: `${rx.base}/hook`, eventTypes: ["dispute.opened", "dispute.decided"] },
  });
  expect(res.status).toBe(201);
  return rx.received;
}

/** A buyer (with its key), a seller paying 75% on a fresh vertical, and a billed seller-reported call. */
async function billedMarket(sellerCampaign: Record<string, unknown> = {}) {
  const { buyerId, seller } = await freshMarket({
    prefix: "dsp",
    buyer: { bidMicros: 20_000_000, minDurationSec: 60, duplicateWindowDays: 30 },
    seller: { reserveMicros: 1_000_000, payout: { type: "share", percent: 75 }, ...sellerCampaign },
  });
  return { buyerId, buyer: await buyerKey(buyerId), seller };
}

async function billedCall(seller: { key: string; sellerCampaignId: string }, callerNumber?: string) {
  const offer = await offerCall<{ callId: string; status: string }>(
    seller,
    callerNumber ? { callerNumber } : {},
  );
  expect(offer.body.status).toBe("routed");
  const events = `/v1/calls/${offer.body.callId}/events`;
  await call("POST", events, { key: seller.key, body: { type: "connected" } });
  await call("POST", events, { key: seller.key, body: { type: "completed", durationSec: 120 } });
  const callId = offer.body.callId;
  // Billed once the charge is in the ledger and the calls read model.
  await waitFor(
    () => call<{ items: { reference: string }[] }>("GET", `/v1/ledger/postings?accountId=revenue&limit=500`),
    (r) => r.body.items.some((i) => i.reference === callId),
  );
  await waitFor(
    () => call<{ billable: boolean | null }>("GET", `/v1/calls/${callId}`),
    (r) => r.body.billable === true,
  );
  return callId;
}

const dispute = (key: string, callId: string, body: Record<string, unknown>) =>
  call<Dispute & { code?: string }>("POST", `/v1/calls/${callId}/disputes`, { key, body });
const decide = (id: string, body: Record<string, unknown>) =>
  call<Dispute & { code?: string; remainingMicros?: number }>("POST", `/v1/disputes/${id}/decision`, {
    body,
  });
const balanceOf = async (buyerId: string) =>
  (await call<{ balanceMicros: number }>("GET", `/v1/buyers/${buyerId}/balance`)).body.balanceMicros;
type SellerBalance = {
  pendingMicros: number;
  refundedMicros: number;
  earnedMicros: number;
  payableMicros: number;
};
const sellerBalance = async (sellerId: string) =>
  (await call<SellerBalance>("GET", `/v1/sellers/${sellerId}/balance`)).body;
const revenueFor = async (reference: string) =>
  (
    await call<{ items: { reference: string; amountMicros: number }[] }>(
      "GET",
      "/v1/ledger/postings?accountId=revenue&limit=500",
    )
  ).body.items.filter((i) => i.reference === reference);

describe("disputes", () => {
  let m: Awaited<ReturnType<typeof billedMarket>>;
  let callId = "";
  let buyerHooks: { type: string; data: Record<string, unknown> }[];
  let sellerHooks: { type: string; data: Record<string, unknown> }[];
  beforeAll(async () => {
    m = await billedMarket();
    buyerHooks = await subscribe(m.buyer);
    sellerHooks = await subscribe(m.seller.key);
    callId = await billedCall(m.seller);
  }, 120_000);

  it("an admin's partial decision refunds the buyer and claws back seller and margin in proportion", async () => {
    const s = m.seller.sellerId;
    await waitFor(
      () => sellerBalance(s),
      (b) => b.pendingMicros === 15_000_000,
    );
    const before = await balanceOf(m.buyerId);
    expect(before).toBe(80_000_000);

    const opened = await dispute(m.buyer, callId, {
      reason: "spam",
      detail: "robocall",
      evidence: "crm ticket 42",
    });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ callId, status: "open", refundMicros: 0, evidence: "crm ticket 42" });
    expect(opened.body.id).toMatch(/^dsp_/);
    expect(opened.body.timeline.map((t) => [t.status, t.by])).toEqual([
      ["open", "buyer"],
      ["open", "exchange"],
    ]);
    const again = await dispute(m.buyer, callId, { reason: "other" });
    expect([again.status, again.body.code]).toEqual([409, "dispute_open"]);

    const decided = await decide(opened.body.id, {
      decision: "partial",
      refundMicros: 5_000_000,
      note: "half a lead",
    });
    expect(decided.status).toBe(200);
    // 5.00 of a 20.00 charge: the seller gives back 75% of it (3.75), the margin 25% (1.25).
    expect(decided.body).toMatchObject({
      status: "partially_accepted",
      refundMicros: 5_000_000,
      sellerClawbackMicros: 3_750_000,
      marginClawbackMicros: 1_250_000,
    });
    expect(decided.body.timeline.at(-1)).toMatchObject({
      status: "partially_accepted",
      by: "admin",
      note: "half a lead",
    });
    expect((await decide(opened.body.id, { decision: "reject", note: "again" })).body.code).toBe(
      "dispute_decided",
    );

    // Buyer: balance back by 5.00 (its actor and the ledger agree); seller: 3.75 less pending; exchange: 1.25.
    await waitFor(
      () => balanceOf(m.buyerId),
      (b) => b === 85_000_000,
    );
    expect(await sellerBalance(s)).toMatchObject({ pendingMicros: 11_250_000, refundedMicros: 3_750_000 });
    const reference = `${callId}:${opened.body.id}`;
    expect((await revenueFor(reference)).map((i) => i.amountMicros)).toEqual([-1_250_000]);
    const month = new Date().toISOString().slice(0, 7);
    const lines = async (accountId: string, key?: string) =>
      (
        await call<{ lines: { reference: string; amountMicros: number }[] }>(
          "GET",
          `/v1/statements/${accountId}?month=${month}`,
          key ? { key } : {},
        )
      ).body.lines.filter((l) => l.reference.startsWith(callId));
    expect((await lines(m.buyerId, m.buyer)).map((l) => [l.reference, l.amountMicros])).toEqual([
      [callId, -20_000_000],
      [reference, 5_000_000],
    ]);
    const availability = async () =>
      (
        await call<{ lines: { reference: string; availability?: string }[] }>(
          "GET",
          `/v1/statements/${s}?month=${month}`,
          { key: m.seller.key },
        )
      ).body.lines.find((l) => l.reference === callId)?.availability;
    expect(await availability()).toBe("pending"); // partly refunded: the rest is still on hold
    expect((await lines(s, m.seller.key)).map((l) => [l.reference, l.amountMicros])).toEqual([
      [callId, 15_000_000],
      [reference, -3_750_000],
    ]);

    // A partial past what is left is refused; a rejection refunds nothing; an accept refunds the rest,
    // and the seller and the exchange have then given back exactly their payout and margin.
    const second = await dispute(m.buyer, callId, { reason: "other" });
    expect(second.status).toBe(201);
    const bare = await decide(second.body.id, { decision: "partial", note: "x" });
    expect([bare.status, bare.body.code]).toEqual([422, "refund_required"]);
    const unknown = await decide(`dsp_${"0".repeat(28)}`, { decision: "reject", note: "x" });
    expect([unknown.status, unknown.body.code]).toEqual([404, "dispute_unknown"]);
    const over = await decide(second.body.id, { decision: "partial", refundMicros: 15_000_001, note: "x" });
    expect([over.status, over.body.code, over.body.remainingMicros]).toEqual([
      422,
      "refund_exceeds_charge",
      15_000_000,
    ]);
    const rejected = await decide(second.body.id, { decision: "reject", note: "the lead qualified" });
    expect(rejected.body).toMatchObject({ status: "rejected", refundMicros: 0 });
    const third = await dispute(m.buyer, callId, { reason: "other" });
    const accepted = await decide(third.body.id, { decision: "accept", note: "fine" });
    expect(accepted.body).toMatchObject({
      status: "accepted",
      refundMicros: 15_000_000,
      sellerClawbackMicros: 11_250_000,
      marginClawbackMicros: 3_750_000,
    });
    await waitFor(
      () => balanceOf(m.buyerId),
      (b) => b === 100_000_000,
    );
    expect(await sellerBalance(s)).toMatchObject({ pendingMicros: 0, refundedMicros: 15_000_000 });
    expect(await availability()).toBe("refunded");
    expect((await dispute(m.buyer, callId, { reason: "other" })).body.code).toBe("already_refunded");
    const adminRefund = await call("POST", `/v1/calls/${callId}/refund`, { body: { reason: "x" } });
    expect([adminRefund.status, adminRefund.body.code]).toEqual([409, "already_refunded"]);
  });

  it("both parties see the timeline and get webhooks; the seller never the buyer's evidence; others 404", async () => {
    const buyerView = await call<{ data: Dispute[] }>("GET", `/v1/calls/${callId}/disputes`, {
      key: m.buyer,
    });
    const sellerView = await call<{ data: Dispute[] }>("GET", `/v1/calls/${callId}/disputes`, {
      key: m.seller.key,
    });
    expect(buyerView.body.data.map((d) => d.status)).toEqual(["partially_accepted", "rejected", "accepted"]);
    expect(sellerView.body.data.map((d) => d.status)).toEqual(["partially_accepted", "rejected", "accepted"]);
    expect(buyerView.body.data[0]).toMatchObject({ evidence: "crm ticket 42" });
    expect(buyerView.body.data[0]).not.toHaveProperty("sellerClawbackMicros");
    expect(sellerView.body.data[0]).not.toHaveProperty("evidence");
    expect(sellerView.body.data[0]).toMatchObject({ sellerClawbackMicros: 3_750_000 });
    expect(violations({ role: "buyer", accountId: m.buyerId }, buyerView.body)).toEqual([]);
    expect(violations({ role: "seller", accountId: m.seller.sellerId }, sellerView.body)).toEqual([]);
    const own = await call<{ data: Dispute[] }>("GET", "/v1/disputes?status=accepted", { key: m.seller.key });
    expect(own.body.data.map((d) => d.callId)).toEqual([callId]);
    const admin = await call<{ data: Dispute[]; nextCursor: string | null }>("GET", "/v1/disputes?limit=1");
    expect(admin.body.data).toHaveLength(1);
    expect(admin.body.nextCursor).toEqual(expect.any(String));

    const strangerId = await createBuyer(0);
    const stranger = await buyerKey(strangerId);
    const otherSeller = await createSeller({});
    for (const key of [stranger, otherSeller.key]) {
      const res = await call("GET", `/v1/calls/${callId}/disputes`, { key });
      expect([res.status, res.body.code]).toEqual([404, "call_unknown"]);
    }
    expect((await dispute(stranger, callId, { reason: "spam" })).status).toBe(404);
    expect((await dispute(m.seller.key, callId, { reason: "spam" })).status).toBe(403);
    expect((await call<{ data: Dispute[] }>("GET", "/v1/disputes", { key: stranger })).body.data).toEqual([]);

    // Webhooks: 3 opened and 3 decided to each party, each in its own view.
    const types = (hs: { type: string }[]) => hs.map((h) => h.type).sort();
    const six = [
      "dispute.decided",
      "dispute.decided",
      "dispute.decided",
      "dispute.opened",
      "dispute.opened",
      "dispute.opened",
    ];
    await waitFor(
      async () => types(buyerHooks),
      (t) => t.length >= 6,
      60_000,
    );
    await waitFor(
      async () => types(sellerHooks),
      (t) => t.length >= 6,
      60_000,
    );
    expect(types(buyerHooks)).toEqual(six);
    expect(types(sellerHooks)).toEqual(six);
    expect(buyerHooks.find((h) => h.data.evidence === "crm ticket 42")).toBeDefined();
    expect(sellerHooks.some((h) => "evidence" in h.data)).toBe(false);
    expect(buyerHooks.some((h) => "sellerClawbackMicros" in h.data)).toBe(false);

    // Audited like every event: in the hash chain, which still verifies.
    const audit = await call<{ items: { type: string }[] }>(
      "GET",
      `/v1/audit?aggregateId=${buyerView.body.data[0]!.id}&limit=10`,
    );
    expect(audit.body.items.map((i) => i.type).sort()).toEqual(["dispute.decided", "dispute.opened"]);
    expect((await call<{ ok: boolean }>("GET", "/v1/audit/verify")).body.ok).toBe(true);
  });

  it("the exchange rejects a duplicate claim it has no earlier call for, naming the fact", async () => {
    const other = await billedCall(m.seller);
    const res = await dispute(m.buyer, other, { reason: "duplicate" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "rejected", refundMicros: 0 });
    expect(res.body.timeline.at(-1)).toMatchObject({
      by: "exchange",
      note: "no earlier call from this caller reached the campaign within its 30-day duplicate window",
    });
  });

  it("auto-accepts a duplicate the exchange's filter missed (its sighting lost) but its calls show", async () => {
    const caller = randomCaller();
    const first = await offerCall<{ callId: string; status: string }>(m.seller, { callerNumber: caller });
    expect(first.body.status).toBe("routed");
    await call("POST", `/v1/calls/${first.body.callId}/events`, {
      key: m.seller.key,
      body: { type: "failed", reason: "no_answer" },
    });
    // The duplicate window's sighting is gone (a Redis crash loses it): the same caller routes again.
    const seen = await redis.keys(`dce:seen:${m.buyerId}:*`);
    if (seen.length > 0) await redis.del(...seen);
    const second = await billedCall(m.seller, caller);
    const res = await dispute(m.buyer, second, { reason: "duplicate" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "accepted", refundMicros: 20_000_000 });
    expect(res.body.timeline.at(-1)?.note).toMatch(
      new RegExp(
        `^call ${first.body.callId} from the same caller reached the same campaign at .*, within its 30-day duplicate window$`,
      ),
    );
  });

  it("the window is the seller campaign's, bounded by the exchange's", async () => {
    const tooLong = await call("POST", `/v1/sellers/${m.seller.sellerId}/campaigns`, {
      key: m.seller.key,
      body: {
        name: "x",
        vertical: "e2e_vertical",
        payout: { type: "share", percent: 50 },
        disputeWindowDays: 31,
      },
    });
    expect([tooLong.status, tooLong.body.code]).toEqual([400, "validation_failed"]);
    expect(tooLong.body.errors).toEqual([
      { path: "disputeWindowDays", message: "must be at most 30 (DCE_DISPUTE_WINDOW_DAYS)" },
    ]);
    const closed = await billedMarket({ disputeWindowDays: 0 });
    const c = await billedCall(closed.seller);
    const res = await dispute(closed.buyer, c, { reason: "spam" });
    expect([res.status, res.body.code]).toEqual([409, "dispute_window_closed"]);
    // A call that was not billed cannot be disputed.
    const unbilled = await offerCall<{ callId: string }>(closed.seller);
    await call("POST", `/v1/calls/${unbilled.body.callId}/events`, {
      key: closed.seller.key,
      body: { type: "failed", reason: "no_answer" },
    });
    await waitFor(
      () => call<{ status: string }>("GET", `/v1/calls/${unbilled.body.callId}`),
      (r) => r.body.status === "failed",
    );
    await waitFor(
      () => dispute(closed.buyer, unbilled.body.callId, { reason: "spam" }),
      (r) => r.status === 409,
    ).then((r) => expect(r.body.code).toBe("not_charged"));
  });

  it("auto-accepts hung_up on a carrier call whose recording is shorter than the buyer's minimum", async () => {
    const media = await receiver();
    hooks.push(media);
    const mk = await market(1, {}, 60);
    const buyerId = mk.buyers[0]!;
    // The buyer's campaign records (market() made it without): patch it on.
    const campaigns = await call<{ items: { id: string }[] }>("GET", `/v1/buyers/${buyerId}/campaigns`);
    const patched = await call("PATCH", `/v1/buyers/${buyerId}/campaigns/${campaigns.body.items[0]!.id}`, {
      body: { recording: { enabled: true, retentionDays: 1 } },
    });
    expect(patched.status).toBe(200);
    const answer = await voiceWebhook(mk.number);
    expect(answer.status).toBe(200);
    const recordingCallback = attr(answer.text, "Dial", "recordingStatusCallback") ?? "";
    const id = callIdOf(recordingCallback);
    const b = leg(answer.text);
    await b.post("in-progress");
    await b.post("completed", { CallDuration: "90" });
    await waitFor(
      () => call<{ billable: boolean | null }>("GET", `/v1/calls/${id}`),
      (r) => r.body.billable === true,
    );
    const recordingSid = sid("RE");
    const reported = await twilioPost(recordingCallback, {
      AccountSid: "AC00000000000000000000000000000000",
      CallSid: sid("CA"),
      RecordingSid: recordingSid,
      RecordingUrl: `${media.base}/media/${recordingSid}`,
      RecordingStatus: "completed",
      RecordingDuration: "20",
      RecordingChannels: "2",
      RecordingSource: "DialVerb",
    });
    expect(reported.status).toBe(204);
    const key = await buyerKey(buyerId);
    await waitFor(
      () => call<{ items: { reference: string }[] }>("GET", `/v1/ledger/postings?accountId=${buyerId}`),
      (r) => r.body.items.some((i) => i.reference === id),
    );
    const charged = 100_000_000 - (await balanceOf(buyerId));
    expect(charged).toBe(30_000_000);
    const res = await dispute(key, id, { reason: "hung_up" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "accepted", refundMicros: 30_000_000 });
    expect(res.body.timeline.at(-1)).toMatchObject({
      by: "exchange",
      status: "accepted",
      note: "the call's recording lasts 20s, below the buyer's 60s minimum: the call should not have been billed",
    });
    await waitFor(
      () => balanceOf(buyerId),
      (bal) => bal === 100_000_000,
    );
  });
});
