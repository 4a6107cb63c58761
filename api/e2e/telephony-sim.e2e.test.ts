// Real calls through the real stack, played by the carrier simulator (api/telephony/sim): signed voice
// webhooks on tracking numbers created through the API, scripted buyers, the carrier's callbacks
// (duplicated, reordered, retried), and each call's final state, charge and balances.
import { describe, expect, it } from "vitest";
import type { Provider } from "../telephony/sim/params.ts";
import { call } from "./client.ts";
import {
  buyerBooks,
  carrierMarket,
  DEPOSIT,
  exchangeCallId,
  finalCall,
  sellerEarned,
  simulate,
} from "./sim-market.ts";

const PRICE = 20_000_000;
const PAYOUT = 12_000_000; // 60% of the price

describe.each<Provider>(["twilio", "telnyx"])("carrier simulator, %s", (provider) => {
  it("billable: charged once at the campaign price on the carrier's buyer-leg duration", async () => {
    const m = await carrierMarket({ a: PRICE });
    const { a } = m.buyers;
    let sellerSaid: { status: number; body: Record<string, unknown> } | undefined;
    const r = await simulate(
      m,
      provider,
      { [a!.destination]: { outcome: "answer", ringSec: 4, talkSec: 125 } },
      {
        // Mid-call, the seller tries to report a 5 s call of its own: refused, the carrier's figure bills.
        onAnswered: async (callId) => {
          sellerSaid = await call("POST", `/v1/calls/${callId}/events`, {
            key: m.seller.key,
            body: { type: "completed", durationSec: 5 },
          });
        },
      },
    );
    expect(r.errors).toEqual([]);
    expect(r.legs.map((l) => [l.to, l.status, l.durationSec])).toEqual([[a!.destination, "completed", 125]]);
    expect(sellerSaid).toMatchObject({ status: 409, body: { code: "carrier_managed_call" } });
    const callId = exchangeCallId(m, provider, r);
    const c = await finalCall(callId);
    expect(c).toMatchObject({
      status: "completed",
      decision: { buyerId: a!.buyerId },
      durationSec: 125,
      billing: { billable: true, chargedMicros: PRICE, payoutMicros: PAYOUT },
    });
    const books = await buyerBooks(a!.buyerId, 1);
    expect(books.charges.map((ch) => [ch.reference, ch.amountMicros])).toEqual([[callId, -PRICE]]);
    expect(books).toMatchObject({ balanceMicros: DEPOSIT - PRICE, reservedMicros: 0 });
    expect(await sellerEarned(m.seller.sellerId)).toBe(PAYOUT);
  });

  it("bad signature: 403, audited, and nothing moves", async () => {
    const m = await carrierMarket({ a: PRICE });
    const { a } = m.buyers;
    for (const signature of ["bad", "missing"] as const) {
      const r = await simulate(m, provider, { default: { outcome: "answer", talkSec: 125 } }, { signature });
      expect(r.end).toBe("refused");
      expect(r.requests).toHaveLength(1);
      expect(r.voiceAnswers[0]!.status).toBe(403);
      expect(JSON.parse(r.voiceAnswers[0]!.body)).toMatchObject({ code: "carrier_signature_invalid" });
      expect((await call("GET", `/v1/calls/${exchangeCallId(m, provider, r)}`)).status).toBe(404);
    }
    expect(await buyerBooks(a!.buyerId, 0)).toEqual({
      charges: [],
      balanceMicros: DEPOSIT,
      reservedMicros: 0,
    });
    expect(await sellerEarned(m.seller.sellerId)).toBe(0);
  });
});

describe("carrier simulator: what carriers and callers do", () => {
  const billedOnce = async (m: Awaited<ReturnType<typeof carrierMarket>>, callId: string, sec: number) => {
    const { a } = m.buyers;
    expect(await finalCall(callId)).toMatchObject({
      status: "completed",
      durationSec: sec,
      billing: { billable: true, chargedMicros: PRICE, payoutMicros: PAYOUT },
    });
    const books = await buyerBooks(a!.buyerId, 1);
    expect(books.charges.map((ch) => [ch.reference, ch.amountMicros])).toEqual([[callId, -PRICE]]);
    expect(books).toMatchObject({ balanceMicros: DEPOSIT - PRICE, reservedMicros: 0 });
    expect(await sellerEarned(m.seller.sellerId)).toBe(PAYOUT);
  };
  const untouched = async (buyerId: string) =>
    expect(await buyerBooks(buyerId, 0)).toEqual({ charges: [], balanceMicros: DEPOSIT, reservedMicros: 0 });

  it("short: a call below the buyer's minimum completes unbilled", async () => {
    const m = await carrierMarket({ a: PRICE });
    const { a } = m.buyers;
    const r = await simulate(m, "twilio", { [a!.destination]: { outcome: "answer", talkSec: 30 } });
    expect(await finalCall(exchangeCallId(m, "twilio", r))).toMatchObject({
      status: "completed",
      durationSec: 30,
      billing: { billable: false, chargedMicros: 0, payoutMicros: 0 },
    });
    await untouched(a!.buyerId);
    expect(await sellerEarned(m.seller.sellerId)).toBe(0);
  });

  it("no answer: re-routed in the Dial action's answer to the next bid, billed to that buyer only", async () => {
    const m = await carrierMarket({ a: 25_000_000, b: PRICE });
    const { a, b } = m.buyers;
    const r = await simulate(m, "twilio", {
      [a!.destination]: { outcome: "no-answer" },
      [b!.destination]: { outcome: "answer", ringSec: 2, talkSec: 100 },
    });
    expect(r.legs.map((l) => [l.to, l.status, l.durationSec])).toEqual([
      [a!.destination, "no-answer", 0],
      [b!.destination, "completed", 100],
    ]);
    expect(r.requests.filter((q) => q.kind === "action").map((q) => q.params.DialCallStatus)).toEqual([
      "no-answer",
      "completed",
    ]);
    const callId = exchangeCallId(m, "twilio", r);
    expect(await finalCall(callId)).toMatchObject({
      status: "completed",
      decision: { buyerId: b!.buyerId },
      durationSec: 100,
      billing: { billable: true, chargedMicros: PRICE, payoutMicros: PAYOUT },
    });
    const books = await buyerBooks(b!.buyerId, 1);
    expect(books.charges.map((ch) => [ch.reference, ch.amountMicros])).toEqual([[callId, -PRICE]]);
    expect(books).toMatchObject({ balanceMicros: DEPOSIT - PRICE, reservedMicros: 0 });
    await untouched(a!.buyerId);
  });

  it("the buyer hangs up just below its minimum: not billed, the side recorded and the call flagged", async () => {
    const m = await carrierMarket({ a: PRICE });
    const { a } = m.buyers;
    const r = await simulate(m, "twilio", {
      [a!.destination]: { outcome: "answer", ringSec: 2, talkSec: 55, endedBy: "buyer" },
    });
    expect(r.legs.map((l) => [l.status, l.durationSec, l.hangupBy])).toEqual([["completed", 55, "buyer"]]);
    // The Dial action says so the carrier's way: the caller's leg is still in progress.
    expect(r.requests.find((q) => q.kind === "action")!.params.CallStatus).toBe("in-progress");
    expect(await finalCall(exchangeCallId(m, "twilio", r))).toMatchObject({
      status: "completed",
      durationSec: 55,
      hangupBy: "buyer",
      flags: ["buyer_hangup_below_minimum"],
      billing: { billable: false, chargedMicros: 0 },
    });
    await untouched(a!.buyerId);
  });

  it("the buyer hangs up within seconds: re-routed to the next bid, billed to that buyer only", async () => {
    const m = await carrierMarket({ a: 25_000_000, b: PRICE });
    const { a, b } = m.buyers;
    const r = await simulate(m, "twilio", {
      [a!.destination]: { outcome: "answer", ringSec: 2, talkSec: 3, endedBy: "buyer" },
      [b!.destination]: { outcome: "answer", ringSec: 2, talkSec: 100 },
    });
    // Carrier order: the first leg's completed callback reaches the exchange before the Dial action.
    expect(r.legs.map((l) => [l.to, l.status, l.durationSec, l.hangupBy])).toEqual([
      [a!.destination, "completed", 3, "buyer"],
      [b!.destination, "completed", 100, "caller"],
    ]);
    const callId = exchangeCallId(m, "twilio", r);
    expect(await finalCall(callId)).toMatchObject({
      status: "completed",
      decision: { buyerId: b!.buyerId },
      durationSec: 100,
      billing: { billable: true, chargedMicros: PRICE, payoutMicros: PAYOUT },
    });
    const books = await buyerBooks(b!.buyerId, 1);
    expect(books.charges.map((ch) => [ch.reference, ch.amountMicros])).toEqual([[callId, -PRICE]]);
    await untouched(a!.buyerId);
  });

  it("busy with no one left: the seller campaign's fallback, the call failed, nothing billed", async () => {
    const m = await carrierMarket({ a: PRICE });
    const { a } = m.buyers;
    const r = await simulate(m, "twilio", { [a!.destination]: { outcome: "busy" } });
    expect(r.legs.map((l) => l.status)).toEqual(["busy"]);
    expect(r.end).toBe("hangup");
    expect(r.said.at(-1)).toMatch(/no one is available/);
    expect(await finalCall(exchangeCallId(m, "twilio", r))).toMatchObject({
      status: "failed",
      billing: { billable: false, chargedMicros: 0 },
    });
    await untouched(a!.buyerId);
  });

  it("the caller hangs up while the buyer rings: failed, not re-routed, nothing billed", async () => {
    const m = await carrierMarket({ a: 25_000_000, b: PRICE });
    const { a, b } = m.buyers;
    const r = await simulate(
      m,
      "twilio",
      { [a!.destination]: { outcome: "answer", ringSec: 20 } },
      { call: { callerHangupAtSec: 12 } },
    );
    expect(r.legs.map((l) => [l.to, l.status])).toEqual([[a!.destination, "canceled"]]);
    expect(r.end).toBe("caller");
    expect(await finalCall(exchangeCallId(m, "twilio", r))).toMatchObject({
      status: "failed",
      decision: { buyerId: a!.buyerId },
      billing: { billable: false, chargedMicros: 0 },
    });
    await untouched(a!.buyerId);
    await untouched(b!.buyerId);
  });

  it("completed (and the Dial action) delivered twice: one charge", async () => {
    const m = await carrierMarket({ a: PRICE });
    const r = await simulate(
      m,
      "twilio",
      { default: { outcome: "answer", talkSec: 125 } },
      { faults: { duplicate: ["completed", "action"] } },
    );
    expect(r.requests.filter((q) => q.event === "completed")).toHaveLength(2);
    await billedOnce(m, exchangeCallId(m, "twilio", r), 125);
  });

  it("callbacks out of order (completed before ringing and answered, the action first): one charge", async () => {
    const m = await carrierMarket({ a: PRICE });
    const r = await simulate(
      m,
      "twilio",
      { default: { outcome: "answer", talkSec: 125 } },
      { faults: { order: "completed-first", actionFirst: true } },
    );
    expect(r.requests.map((q) => q.event ?? q.kind)).toEqual([
      "voice",
      "action",
      "completed",
      "initiated",
      "ringing",
      "answered",
    ]);
    await billedOnce(m, exchangeCallId(m, "twilio", r), 125);
  });

  it("completed without answered (ringing and answered lost on the way): one charge", async () => {
    const m = await carrierMarket({ a: PRICE });
    const r = await simulate(
      m,
      "twilio",
      { default: { outcome: "answer", talkSec: 125 } },
      { faults: { drop: ["ringing", "answered"], jitterMs: 30 } },
    );
    expect(r.requests.map((q) => q.event ?? q.kind)).toEqual(["voice", "initiated", "completed", "action"]);
    await billedOnce(m, exchangeCallId(m, "twilio", r), 125);
  });

  it("the voice webhook retried: the same answer each time, one call, one charge", async () => {
    const m = await carrierMarket({ a: PRICE });
    const r = await simulate(
      m,
      "twilio",
      { default: { outcome: "answer", talkSec: 125 } },
      { faults: { voiceRetries: 2 } },
    );
    expect(r.voiceAnswers).toHaveLength(3);
    expect(r.voiceAnswers.map((v) => v.status)).toEqual([200, 200, 200]);
    expect(new Set(r.voiceAnswers.map((v) => v.body)).size).toBe(1);
    expect(r.legs).toHaveLength(1);
    await billedOnce(m, exchangeCallId(m, "twilio", r), 125);
  });
});
