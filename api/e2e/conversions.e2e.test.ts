// Conversion billing and payout rules through the real stack: a conversion-billed campaign's call
// routes with a key only its buyer sees, completes billing nothing (the buyer's hold kept), and bills
// once when its buyer posts the conversion in the window (ledger, balances, `call.billable` webhook);
// a retry replays, another body or a wrong key is refused; with no conversion the window closes, the
// hold is released and nothing is billed; a seller's duration tiers pay the tier the call reached.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { fetchReconciliation } from "../../scripts/reconcile.ts";
import { buyerKey } from "./bidders.ts";
import { text, trackingNumber, twilioPost, voiceUrl } from "./carrier.ts";
import { callIdOf, leg, voiceParams } from "./carrier-market.ts";
import { call, createBuyer, createSeller, offerCall, waitFor } from "./client.ts";
import { freshMarket } from "./market.ts";

type Json = Record<string, unknown>;
type Offer = { callId: string; status: string; billOn?: string; conversionKey?: string };
type Call = {
  decision: { conversionKey?: string; billOn?: string };
  billing?: { billable: boolean; chargedMicros: number; payoutMicros?: number; reason?: string };
  conversion?: { status: string; windowEndsAt: string; revenueMicros?: number | null };
  payoutMicros?: number | null;
};
type Balance = { balanceMicros: number; reservedMicros: number };

const closers: (() => void)[] = [];
afterAll(() => {
  for (const c of closers) c();
});

/** A webhook receiver on 127.0.0.1 keeping every delivery's JSON. */
async function receiver() {
  const received: { type: string; data: Json }[] = [];
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    received.push(JSON.parse(body));
    res.writeHead(204).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dce`, received };
}

const events = (callId: string) => `/v1/calls/${callId}/events`;
const conversion = (callId: string) => `/v1/calls/${callId}/conversion`;
const balance = async (buyerId: string) => (await call<Balance>("GET", `/v1/buyers/${buyerId}/balance`)).body;
const charges = async (buyerId: string, callId: string) => {
  const r = await call<{ items: { kind: string; reference: string; amountMicros: number }[] }>(
    "GET",
    `/v1/ledger/postings?accountId=${buyerId}`,
  );
  return r.body.items.filter((p) => p.kind === "charge" && p.reference === callId);
};

async function talk(seller: { key: string }, callId: string, durationSec: number) {
  expect((await call("POST", events(callId), { key: seller.key, body: { type: "connected" } })).status).toBe(
    200,
  );
  const done = await call<Call>("POST", events(callId), {
    key: seller.key,
    body: { type: "completed", durationSec },
  });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  return done.body;
}

async function conversionMarket(windowSec: number, sellerPayout: Json) {
  const { buyerId, seller } = await freshMarket({
    prefix: "cv",
    buyer: {
      bidMicros: 20_000_000,
      minDurationSec: 30,
      billOn: "conversion",
      conversionWindowSec: windowSec,
    },
    seller: { reserveMicros: 1_000_000, payout: sellerPayout },
  });
  return { buyerId, bKey: await buyerKey(buyerId), seller };
}

describe("conversion billing", () => {
  it("routes with a buyer-only key, bills nothing at completion, bills once on the conversion; retries replay; wrong keys and second bodies are refused", async () => {
    const m = await conversionMarket(600, {
      type: "fixed",
      amountMicros: 5_000_000,
      perConversionMicros: 8_000_000,
    });
    const startedAt = new Date(Date.now() - 60_000).toISOString();
    const rx = await receiver();
    const hook = await call("POST", "/v1/webhooks", {
      key: m.bKey,
      body: { url: rx.url, eventTypes: ["call.routed", "call.billable", "call.converted"] },
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    const sellerRx = await receiver();
    const sellerHook = await call("POST", "/v1/webhooks", {
      key: m.seller.key,
      body: { url: sellerRx.url, eventTypes: ["call.routed", "call.converted"] },
    });
    expect(sellerHook.status, JSON.stringify(sellerHook.body)).toBe(201);

    const offer = await offerCall<Offer>(m.seller);
    expect(offer.body.status).toBe("routed");
    expect(offer.body.billOn).toBe("conversion");
    expect(offer.body.conversionKey).toBeUndefined(); // the seller's routing instruction: no key
    const callId = offer.body.callId;
    const asBuyer = await call<Call>("GET", `/v1/calls/${callId}`, { key: m.bKey });
    const key = asBuyer.body.decision.conversionKey ?? "";
    expect(key).toMatch(/^cvk_[A-Za-z0-9_-]{22}$/);
    const asSeller = await call<Call>("GET", `/v1/calls/${callId}`, { key: m.seller.key });
    expect(asSeller.body.decision.conversionKey).toBeUndefined();
    const routed = await waitFor(
      async () => rx.received.find((d) => d.type === "call.routed" && d.data.callId === callId),
      (d) => d !== undefined,
    );
    expect(routed?.data).toMatchObject({ conversionKey: key, billOn: "conversion" });

    const early = await call("POST", conversion(callId), { key: m.bKey, body: { key } });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe("conversion_not_eligible");

    const completed = await talk(m.seller, callId, 45);
    expect(completed.billing).toMatchObject({ billable: false, chargedMicros: 0 });
    expect(completed.conversion?.status).toBe("awaiting");
    expect(await balance(m.buyerId)).toMatchObject({
      balanceMicros: 100_000_000,
      reservedMicros: 20_000_000,
    });
    // Reconciliation once the calls read model shows the call awaiting its conversion: the hold is an
    // open call's (no drift), no charge is due (not in question).
    const row = await waitFor(
      async () =>
        (await call<{ items: Json[] }>("GET", `/v1/calls?buyerId=${m.buyerId}`)).body.items.find(
          (r) => r.callId === callId,
        ),
      (r) => r?.conversionStatus === "awaiting",
    );
    expect(row?.status).toBe("completed");
    const recon = await fetchReconciliation(startedAt);
    expect(recon.drift.filter((d) => d.buyerId === m.buyerId)).toEqual([]);
    expect(recon.calls.mismatches.filter((x) => x.callId === callId)).toEqual([]);

    const wrong = await call("POST", conversion(callId), { key: m.bKey, body: { key: `${key}x` } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe("conversion_key_invalid");
    const bySeller = await call("POST", conversion(callId), { key: m.seller.key, body: { key } });
    expect(bySeller.status).toBe(403);

    const body = { key, revenueMicros: 150_000_000, disposition: "sale" };
    const first = await call<Json>("POST", conversion(callId), { key: m.bKey, body });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      callId,
      conversion: { status: "converted", revenueMicros: 150_000_000, disposition: "sale" },
      billing: { billable: true, chargedMicros: 20_000_000 },
    });
    expect(JSON.stringify(first.body)).not.toContain("payoutMicros"); // the buyer's view
    const again = await call<Json>("POST", conversion(callId), { key: m.bKey, body });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const other = await call("POST", conversion(callId), { key: m.bKey, body: { key, revenueMicros: 1 } });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe("conversion_already_recorded");

    const posted = await waitFor(
      () => charges(m.buyerId, callId),
      (c) => c.length > 0,
    );
    expect(posted.map((p) => Math.abs(p.amountMicros))).toEqual([20_000_000]);
    expect(await balance(m.buyerId)).toMatchObject({ balanceMicros: 80_000_000, reservedMicros: 0 });
    const asSellerAfter = await call<Call>("GET", `/v1/calls/${callId}`, { key: m.seller.key });
    expect(asSellerAfter.body.payoutMicros).toBe(8_000_000); // the seller's per-conversion rule
    expect(asSellerAfter.body.conversion?.revenueMicros).toBeUndefined(); // the buyer's own business
    const billable = await waitFor(
      async () => rx.received.filter((d) => d.type === "call.billable" && d.data.callId === callId),
      (d) => d.length > 0,
    );
    expect(billable).toHaveLength(1);
    expect(billable[0]!.data).toMatchObject({ chargedMicros: 20_000_000 });
    expect(billable[0]!.data.payoutMicros).toBeUndefined();
    const convertedHook = await waitFor(
      async () => rx.received.find((d) => d.type === "call.converted" && d.data.callId === callId),
      (d) => d !== undefined,
    );
    expect(convertedHook?.data).toMatchObject({ revenueMicros: 150_000_000, disposition: "sale" });
    // The seller's webhooks: the routing and the conversion, never the key, the revenue or disposition.
    const sellerSaw = await waitFor(
      async () => sellerRx.received.filter((d) => d.data.callId === callId),
      (d) => d.length >= 2,
    );
    expect(sellerSaw.map((d) => d.type).sort()).toEqual(["call.converted", "call.routed"]);
    for (const d of sellerSaw) {
      expect(d.data.conversionKey).toBeUndefined();
      expect(d.data.revenueMicros).toBeUndefined();
      expect(d.data.disposition).toBeUndefined();
    }
  });

  it("no conversion: the window closes, the hold is released, nothing is billed; a late conversion is refused", async () => {
    const m = await conversionMarket(5, { type: "fixed", amountMicros: 5_000_000 });
    const offer = await offerCall<Offer>(m.seller);
    const callId = offer.body.callId;
    const key = (await call<Call>("GET", `/v1/calls/${callId}`, { key: m.bKey })).body.decision.conversionKey;
    await talk(m.seller, callId, 40);
    expect((await balance(m.buyerId)).reservedMicros).toBe(20_000_000);
    const closed = await waitFor(
      async () => (await call<Call>("GET", `/v1/calls/${callId}`)).body,
      (c) => c.conversion?.status === "not_converted",
      30_000,
    );
    expect(closed.conversion?.status).toBe("not_converted");
    expect(closed.billing).toMatchObject({ billable: false, chargedMicros: 0, payoutMicros: 0 });
    expect(await balance(m.buyerId)).toMatchObject({ balanceMicros: 100_000_000, reservedMicros: 0 });
    const late = await call("POST", conversion(callId), { key: m.bKey, body: { key } });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe("conversion_window_closed");
    expect(await charges(m.buyerId, callId)).toEqual([]);
  });

  it("a call below its minimum cannot convert and holds nothing; a duration-billed call takes no conversion", async () => {
    const m = await conversionMarket(600, { type: "fixed", amountMicros: 5_000_000 });
    const offer = await offerCall<Offer>(m.seller);
    const callId = offer.body.callId;
    const key = (await call<Call>("GET", `/v1/calls/${callId}`, { key: m.bKey })).body.decision.conversionKey;
    const short = await talk(m.seller, callId, 10);
    expect(short.conversion).toBeUndefined();
    expect((await balance(m.buyerId)).reservedMicros).toBe(0);
    const refused = await call("POST", conversion(callId), { key: m.bKey, body: { key } });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe("conversion_not_eligible");

    const { buyerId, seller } = await freshMarket({
      prefix: "cd",
      buyer: { bidMicros: 20_000_000, minDurationSec: 30 },
      seller: { reserveMicros: 1_000_000 },
    });
    const d = await offerCall<Offer>(seller);
    expect(d.body.billOn).toBeUndefined();
    await talk(seller, d.body.callId, 60);
    const na = await call("POST", conversion(d.body.callId), {
      key: await buyerKey(buyerId),
      body: { key: "cvk_x" },
    });
    expect(na.status).toBe(409);
    expect(na.body.code).toBe("conversion_not_applicable");
  });
});

describe("conversion billing through the carrier edge", () => {
  it("dials a SIP buyer with its call's key in a SIP header; the carrier's completion waits, the conversion bills", async () => {
    const { buyerId, seller } = await freshMarket({
      prefix: "cc",
      buyer: {
        bidMicros: 30_000_000,
        minDurationSec: 60,
        destination: { sip: "sip:agent@pbx.example" },
        billOn: "conversion",
      },
      seller: { payout: { type: "share", percent: 50 } },
    });
    const answer = await twilioPost(
      voiceUrl("twilio"),
      voiceParams(await trackingNumber(seller.sellerCampaignId)),
    );
    const callId = callIdOf(answer.text);
    const bKey = await buyerKey(buyerId);
    const key =
      (await call<Call>("GET", `/v1/calls/${callId}`, { key: bKey })).body.decision.conversionKey ?? "";
    expect(text(answer.text, "Sip")?.replace(/&amp;/g, "&")).toBe(
      `sip:agent@pbx.example?X-DCE-Conversion-Key=${encodeURIComponent(key)}`,
    );
    const b = leg(answer.text);
    await b.post("in-progress");
    await b.post("completed", { CallDuration: "95" });
    const waiting = await waitFor(
      async () => (await call<Call>("GET", `/v1/calls/${callId}`)).body,
      (c) => c.conversion?.status === "awaiting",
    );
    expect(waiting.billing).toMatchObject({ billable: false, chargedMicros: 0 });
    const posted = await call<Json>("POST", conversion(callId), { key: bKey, body: { key } });
    expect(posted.status, JSON.stringify(posted.body)).toBe(200);
    expect(posted.body).toMatchObject({ billing: { billable: true, chargedMicros: 30_000_000 } });
    const after = await waitFor(
      () => charges(buyerId, callId),
      (c) => c.length > 0,
    );
    expect(after.map((p) => Math.abs(p.amountMicros))).toEqual([30_000_000]);
  });
});

describe("payout rules", () => {
  it("a seller's duration tiers pay the tier the call reached; the buyer pays its price", async () => {
    const { seller } = await freshMarket({
      prefix: "pt",
      buyer: { bidMicros: 20_000_000, minDurationSec: 30 },
      seller: {
        reserveMicros: 1_000_000,
        payout: {
          type: "fixed",
          amountMicros: 2_000_000,
          tiers: [
            { minDurationSec: 60, amountMicros: 5_000_000 },
            { minDurationSec: 120, amountMicros: 9_000_000 },
          ],
        },
      },
    });
    const paid: Record<number, number | null | undefined> = {};
    for (const sec of [45, 70, 130]) {
      const offer = await offerCall<Offer>(seller);
      const done = await talk(seller, offer.body.callId, sec);
      expect(done.billing).toMatchObject({ billable: true, chargedMicros: 20_000_000 });
      paid[sec] = done.payoutMicros;
    }
    expect(paid).toEqual({ 45: 2_000_000, 70: 5_000_000, 130: 9_000_000 });
  });

  it("a daily payout cap: calls past it earn what the day has left, then nothing; the buyer still pays", async () => {
    const { seller } = await freshMarket({
      prefix: "pc",
      buyer: { bidMicros: 20_000_000, minDurationSec: 30 },
      seller: {
        reserveMicros: 1_000_000,
        payout: { type: "fixed", amountMicros: 5_000_000, caps: { dailyMicros: 12_000_000 } },
      },
    });
    const paid: (number | null | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      const offer = await offerCall<Offer>(seller);
      const done = await talk(seller, offer.body.callId, 60);
      expect(done.billing).toMatchObject({ billable: true, chargedMicros: 20_000_000 });
      paid.push(done.payoutMicros);
    }
    expect(paid).toEqual([5_000_000, 5_000_000, 2_000_000, 0]);
  });

  it("refuses tiers out of order and a conversion window on a duration campaign at save", async () => {
    const seller = await createSeller();
    const bad = await call("POST", `/v1/sellers/${seller.sellerId}/campaigns`, {
      body: {
        name: "bad tiers",
        vertical: "e2e_vertical",
        payout: {
          type: "fixed",
          amountMicros: 1,
          tiers: [
            { minDurationSec: 120, amountMicros: 9 },
            { minDurationSec: 60, amountMicros: 5 },
          ],
        },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("validation_failed");
    const buyerId = await createBuyer(0);
    const window = await call("POST", `/v1/buyers/${buyerId}/campaigns`, {
      body: {
        name: "window without conversion",
        vertical: "e2e_vertical",
        bidMicros: 1,
        minDurationSec: 0,
        destination: { number: "+13059870000" },
        conversionWindowSec: 600,
      },
    });
    expect(window.status).toBe(400);
    expect(JSON.stringify(window.body)).toContain("conversionWindowSec");
  });
});
