// Property: over random sequences of calls on duration- and conversion-billed campaigns, completions,
// conversion postbacks (right and wrong keys, repeats, other bodies, late ones), time passing and
// window sweeps, played through the real buyer, call and payout rules and the real charge posting:
// every posting sums to zero, no call is charged twice, the margin is never negative, the buyer's
// balance is its deposit less its charges, and its holds are exactly its live and awaiting calls.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PostingBook } from "../../api/money/test-book.ts";
import type { BuyerState } from "../buyer/buyer-api.ts";
import { awaitConversion } from "../buyer/conversion.ts";
import { balanceOf, capture, newBuyerState, release, reserve, upsertCampaign } from "../buyer/rules.ts";
import { testCall as buyerCall, testCampaign } from "../buyer/test-builders.ts";
import { fixedCtx } from "../kernel/ctx.ts";
import { payoutFor } from "../seller/payout.ts";
import type { Payout } from "../seller/seller-api.ts";
import { fixedPayouts } from "../seller/test-payouts.ts";
import type { CallState } from "./call-api.ts";
import { awaitingBilling, conversionStep, converted, notConverted } from "./conversion.ts";
import { billingFor } from "./rules.ts";
import { testCall } from "./test-call.ts";

const DEPOSIT = 1_000_000_000;
const WINDOW_SEC = 60;
type Op =
  | { op: "call"; conversion: boolean; price: number }
  | { op: "complete"; call: number; durationSec: number }
  | { op: "convert"; call: number; rightKey: boolean; body: number }
  | { op: "advance"; sec: number }
  | { op: "sweep" };

const ops = fc.array(
  fc.oneof(
    fc.record({
      op: fc.constant("call" as const),
      conversion: fc.boolean(),
      price: fc.integer({ min: 0, max: 50_000_000 }),
    }),
    fc.record({
      op: fc.constant("complete" as const),
      call: fc.nat(20),
      durationSec: fc.integer({ min: 0, max: 300 }),
    }),
    fc.record({
      op: fc.constant("convert" as const),
      call: fc.nat(20),
      rightKey: fc.boolean(),
      body: fc.nat(2),
    }),
    fc.record({ op: fc.constant("advance" as const), sec: fc.integer({ min: 1, max: 90 }) }),
    fc.record({ op: fc.constant("sweep" as const) }),
  ),
  { maxLength: 60 },
);

function play(payout: Payout, script: Op[]) {
  let now = Date.parse("2026-11-28T12:00:00Z");
  const ctx = () => fixedCtx(now);
  let buyer: BuyerState = {
    ...newBuyerState({ buyerId: "byr_1", name: "b", timezone: "UTC", creditLimitMicros: 0 }, ctx()),
    balanceMicros: DEPOSIT,
  };
  for (const billOn of ["duration", "conversion"] as const) {
    const c = testCampaign({ id: `bcp_${billOn}`, bidMicros: 50_000_000, minDurationSec: 30, billOn });
    const up = upsertCampaign(buyer, c, ctx());
    if (!up.ok) throw new Error("upsert");
    buyer = up.value.state;
  }
  const calls: CallState[] = [];
  const book = new PostingBook();
  let captures = 0;
  const bill = (s: CallState) => {
    const b = { callId: s.callId, buyerId: "byr_1", sellerId: "sel_1", ...s.billing! };
    expect(book.charge(b, 0)).toBe(true); // no call charged twice
  };
  const doCapture = (s: CallState) => {
    const r = capture(buyer, { callId: s.callId }, ctx());
    expect(r.ok).toBe(true);
    if (r.ok) buyer = r.value.state;
    captures++;
  };
  const doRelease = (s: CallState) => {
    const r = release(buyer, { callId: s.callId, outcome: "not_billable" }, ctx());
    if (r.ok) buyer = r.value.state;
  };
  for (const o of script) {
    if (o.op === "advance") now += o.sec * 1000;
    if (o.op === "call") {
      const callId = `call_${calls.length}`;
      const campaignId = o.conversion ? "bcp_conversion" : "bcp_duration";
      const r = reserve(
        buyer,
        {
          callId,
          campaignId,
          priceMicros: o.price,
          bid: { source: "standing", amountMicros: 50_000_000 },
          call: buyerCall({ callId }),
          ttlMs: 3_600_000,
        },
        ctx(),
        { lastSeenMs: null },
      );
      if (!r.ok) continue;
      buyer = r.value.state;
      const routing = {
        bidId: "b",
        buyerId: "byr_1",
        buyerCampaignId: campaignId,
        priceMicros: o.price,
        destination: {},
        minDurationSec: 30,
        expiresAtMs: now + 60_000,
        ...(o.conversion ? { conversion: { windowSec: WINDOW_SEC, key: `cvk_${callId}` } } : {}),
      };
      calls.push(
        testCall("connected", {
          callId,
          routing,
          payout,
          decision: { callId, status: "routed", buyerId: "byr_1" },
        }),
      );
    }
    const s = o.op === "complete" || o.op === "convert" ? calls[o.call] : undefined;
    if (o.op === "complete" && s && s.status === "connected") {
      const q = billingFor(
        o.durationSec,
        30,
        s.routing!.priceMicros,
        payoutFor(payout, s.routing!.priceMicros, { durationSec: o.durationSec }),
      );
      let next: CallState = { ...s, status: "completed", durationSec: o.durationSec, billing: q };
      if (q.billable && s.routing?.conversion) {
        const held = awaitConversion(
          buyer,
          { callId: s.callId, untilMs: now + WINDOW_SEC * 1000 + 600_000 },
          now,
        );
        buyer = held.state;
        next = {
          ...next,
          billing: awaitingBilling(now + WINDOW_SEC * 1000),
          conversion: { status: "awaiting", windowEndsAtMs: now + WINDOW_SEC * 1000 },
        };
      } else if (q.billable) {
        doCapture(s);
        bill(next);
      } else doRelease(s);
      calls[o.call] = next;
    }
    if (o.op === "convert" && s) {
      const cmd = { key: o.rightKey ? `cvk_${s.callId}` : "cvk_wrong", requestHash: `h${o.body}` };
      const step = conversionStep(s, cmd, now);
      if (step.ok && !step.value.replay) {
        const next = converted(
          s,
          cmd,
          payoutFor(payout, s.routing!.priceMicros, { durationSec: s.durationSec, converted: true }),
          now,
        );
        doCapture(next);
        bill(next);
        calls[o.call] = next;
      }
    }
    if (o.op === "sweep") {
      calls.forEach((c, i) => {
        if (c.conversion?.status === "awaiting" && c.conversion.windowEndsAtMs <= now) {
          doRelease(c);
          calls[i] = notConverted(c);
        }
      });
    }
    // Invariants after every step.
    let charged = 0;
    for (const p of book.postings.values()) {
      expect(p.entries.reduce((a, e) => a + e.amountMicros, 0)).toBe(0);
      const revenue = p.entries.find((e) => e.accountId === "revenue")?.amountMicros ?? 0;
      expect(revenue).toBeLessThanOrEqual(0); // the margin (credited to revenue) is never negative
      charged += p.entries.find((e) => e.accountId === "buyer:byr_1")?.amountMicros ?? 0;
    }
    expect(captures).toBe(book.postings.size);
    expect(buyer.balanceMicros).toBe(DEPOSIT - charged);
    const open = calls.filter((c) => c.status === "connected" || c.conversion?.status === "awaiting");
    expect(balanceOf(buyer).reservedMicros).toBe(open.reduce((a, c) => a + c.routing!.priceMicros, 0));
    expect(Object.keys(buyer.reservations).sort()).toEqual(open.map((c) => c.callId).sort());
  }
}

describe("conversion billing (property)", () => {
  it("keeps the ledger balanced, charges each call once, never a negative margin, never strands a hold", () => {
    fc.assert(
      fc.property(fixedPayouts, ops, (payout, script) => play(payout, script)),
      { numRuns: 300 },
    );
  });
});
