// Property (issue #16): one random sequence mixes the exchange's money workflows — calls offered to a
// duration-billed and a conversion-billed buyer campaign, completions, conversion postbacks inside
// and outside the window (right and wrong keys, repeats), the sweeps that end conversion windows and
// release payout holds, disputes opened (the exchange's own verdict) and decided by an admin (accept,
// partial, reject) on calls of both kinds, and payout runs. Every step runs the real rules (buyer,
// call, conversion, payout, dispute) and the real posting builders on the in-memory book; after every
// step each ledger invariant holds: every posting sums to zero; a call is charged at most once; its
// payout never exceeds its charge; refunds never exceed the charge and the seller's clawback is exactly
// ⌊P·R/C⌋; an unbilled call earns the seller nothing and no dispute refunds it; the buyer's balance,
// its holds and each seller's position are what the postings sum to.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BuyerState } from "../../actors/buyer/buyer-api.ts";
import { awaitConversion } from "../../actors/buyer/conversion.ts";
import { applyDeposit } from "../../actors/buyer/funds.ts";
import {
  balanceOf,
  capture,
  newBuyerState,
  release,
  reserve,
  upsertCampaign,
} from "../../actors/buyer/rules.ts";
import { testCall as buyerCall, testCampaign } from "../../actors/buyer/test-builders.ts";
import type { CallState } from "../../actors/call/call-api.ts";
import { awaitingBilling, conversionStep, converted, notConverted } from "../../actors/call/conversion.ts";
import { billingFor } from "../../actors/call/rules.ts";
import { testCall } from "../../actors/call/test-call.ts";
import { fixedCtx } from "../../actors/kernel/ctx.ts";
import { payoutFor } from "../../actors/seller/payout.ts";
import type { Payout } from "../../actors/seller/seller-api.ts";
import { fixedPayouts } from "../../actors/seller/test-payouts.ts";
import { decisionRefund, mustBeCharged, mustHaveLeft } from "../disputes/money.ts";
import { autoResolve, DISPUTE_REASONS, type DisputeReason } from "../disputes/rules.ts";
import { buyerAccount, type Entry } from "../ledger/postings.ts";
import { ApiError } from "../problem.ts";
import { callOf, expectSellerPositions, PostingBook } from "./test-book.ts";

const T0 = Date.parse("2026-11-28T12:00:00Z");
const DEPOSIT = 1_000_000_000;
const BID = 50_000_000;
const MIN_SEC = 30;
const WINDOW_SEC = 60;
const BUYER = "byr_1";
const SELLERS = ["s0", "s1"];

/**
 * A step on a call names it by `call`, round the list of the calls it fits (a live call to complete,
 * one awaiting its conversion to convert, a charged one to dispute), or of all calls when `anyCall`
 * (or none fits): then it mostly meets the rules' refusals.
 */
type Op =
  | { op: "call"; conversion: boolean; price: number; seller: number }
  | { op: "complete"; call: number; anyCall: boolean; durationSec: number }
  | { op: "convert"; call: number; anyCall: boolean; rightKey: boolean; body: number }
  | { op: "advance"; sec: number }
  /** Conversion windows that closed with no postback: the buyer's hold released, never billed. */
  | { op: "windows" }
  /** Payout holds that ended: released to the sellers' payables (or what they owe). */
  | { op: "holds" }
  /** A buyer opens a dispute; the exchange decides it from the call's facts, or leaves it open. */
  | {
      op: "open";
      call: number;
      anyCall: boolean;
      reason: DisputeReason;
      recordedSec: number | null;
      hangupBy: "caller" | "buyer" | "system" | null;
      priorCaller: boolean;
    }
  /**
   * An admin decides one of the open disputes (the `pick`-th, round the list); a partial refund is
   * `share` of what is left of the charge, or `over` micros past it.
   */
  | { op: "decide"; pick: number; decision: "accept" | "partial" | "reject"; share: number; over: number }
  | { op: "payout"; seller: number | null };

interface Terms {
  payout: Payout;
  /** Each seller's payout hold. */
  holdSec: number[];
}

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
};
const total = (es: Entry[]) => es.reduce((s, e) => s + e.amountMicros, 0);

/** The exchange in memory: one buyer with both campaigns, the calls (with their seller), the ledger. */
class Exchange {
  book = new PostingBook();
  buyer: BuyerState;
  calls: CallState[] = [];
  /** The open dispute of a call, by call id. */
  open = new Map<string, string>();
  disputes = 0;
  captures = 0;
  refusals: Record<string, number> = {};

  constructor(readonly terms: Terms) {
    let buyer: BuyerState = {
      ...newBuyerState({ buyerId: BUYER, name: "b", timezone: "UTC", creditLimitMicros: 0 }, this.ctx()),
      balanceMicros: DEPOSIT,
    };
    for (const billOn of ["duration", "conversion"] as const) {
      const c = testCampaign({ id: `bcp_${billOn}`, bidMicros: BID, minDurationSec: MIN_SEC, billOn });
      const up = upsertCampaign(buyer, c, this.ctx());
      if (!up.ok) throw new Error(up.reason.code);
      buyer = up.value.state;
    }
    this.buyer = buyer;
  }
  nowMs = () => T0 + this.book.now * 1000;
  ctx = () => fixedCtx(this.nowMs());
  refused(code: string) {
    this.refusals[code] = (this.refusals[code] ?? 0) + 1;
  }

  /** Captures the buyer's hold and posts the charge, its payout held for the seller's hold period. */
  bill(s: CallState) {
    const r = capture(this.buyer, { callId: s.callId }, this.ctx());
    expect(r.ok).toBe(true);
    if (r.ok) this.buyer = r.value.state;
    this.captures++;
    const b = { callId: s.callId, buyerId: BUYER, sellerId: s.sellerId, ...s.billing! };
    expect(this.book.charge(b, this.terms.holdSec[SELLERS.indexOf(s.sellerId)]!)).toBe(true);
  }
  unhold(s: CallState) {
    const r = release(this.buyer, { callId: s.callId, outcome: "not_billable" }, this.ctx());
    if (r.ok) this.buyer = r.value.state;
  }
  /** A dispute's refund: the ledger posting (api/money/refunds.ts), then the buyer actor's credit. */
  refund(callId: string, disputeId: string, amount: number) {
    this.book.refundPart(callId, `${callId}:${disputeId}`, amount);
    const r = applyDeposit(this.buyer, { depositId: `rfd_${disputeId}`, amountMicros: amount }, this.nowMs());
    expect(r.ok).toBe(true);
    if (r.ok) this.buyer = r.value.state;
  }
  /** The `n`-th call (round the list) of those `fits` picks, or of all calls when `any` or none fits. */
  pick(n: number, any: boolean, fits: (c: CallState) => boolean): [number, CallState] | undefined {
    const among = this.calls.map((c, i) => [i, c] as [number, CallState]).filter(([, c]) => any || fits(c));
    const from = among.length > 0 ? among : this.calls.map((c, i) => [i, c] as [number, CallState]);
    return from[n % (from.length || 1)];
  }
  leftOf(callId: string) {
    return (this.book.charges.get(callId)?.charged ?? 0) - this.book.refunded(callId).b;
  }

  apply(o: Op) {
    const now = this.nowMs();
    const { payout } = this.terms;
    if (o.op === "advance") this.book.now += o.sec;
    else if (o.op === "holds") this.book.sweep();
    else if (o.op === "payout") {
      for (const r of this.book.payoutRun(o.seller === null ? SELLERS : [SELLERS[o.seller]!])) {
        expect(r.after.pending).toBe(r.before.pending); // held money is never paid
        expect(r.after.payable).toBe(0);
      }
    } else if (o.op === "windows") {
      this.calls.forEach((c, i) => {
        if (c.conversion?.status === "awaiting" && c.conversion.windowEndsAtMs <= now) {
          this.unhold(c);
          this.calls[i] = notConverted(c);
        }
      });
    } else if (o.op === "call") {
      const callId = `call_${this.calls.length}`;
      const campaignId = o.conversion ? "bcp_conversion" : "bcp_duration";
      const bid = { source: "standing" as const, amountMicros: BID };
      const cmd = {
        callId,
        campaignId,
        priceMicros: o.price,
        bid,
        call: buyerCall({ callId }),
        ttlMs: 3_600_000,
      };
      const r = reserve(this.buyer, cmd, this.ctx(), { lastSeenMs: null });
      if (!r.ok) return this.refused(r.reason.code);
      this.buyer = r.value.state;
      const routing = {
        bidId: "b",
        buyerId: BUYER,
        buyerCampaignId: campaignId,
        priceMicros: o.price,
        destination: {},
        minDurationSec: MIN_SEC,
        expiresAtMs: now + 60_000,
        ...(o.conversion ? { conversion: { windowSec: WINDOW_SEC, key: `cvk_${callId}` } } : {}),
      };
      const decision = { callId, status: "routed" as const, buyerId: BUYER };
      this.calls.push(
        testCall("connected", { callId, sellerId: SELLERS[o.seller]!, routing, payout, decision }),
      );
    } else if (o.op === "complete") {
      const [i, s] = this.pick(o.call, o.anyCall, (c) => c.status === "connected") ?? [];
      if (s?.status !== "connected") return;
      const price = s.routing!.priceMicros;
      const q = billingFor(
        o.durationSec,
        MIN_SEC,
        price,
        payoutFor(payout, price, { durationSec: o.durationSec }),
      );
      let next: CallState = { ...s, status: "completed", durationSec: o.durationSec, billing: q };
      if (q.billable && s.routing?.conversion) {
        const until = now + WINDOW_SEC * 1000;
        this.buyer = awaitConversion(this.buyer, { callId: s.callId, untilMs: until + 600_000 }, now).state;
        const conversion = { status: "awaiting" as const, windowEndsAtMs: until };
        next = { ...next, billing: awaitingBilling(until), conversion };
      } else if (q.billable) this.bill(next);
      else this.unhold(s);
      this.calls[i!] = next;
    } else if (o.op === "convert") {
      const [i, s] = this.pick(o.call, o.anyCall, (c) => c.conversion?.status === "awaiting") ?? [];
      if (!s) return;
      const cmd = { key: o.rightKey ? `cvk_${s.callId}` : "cvk_wrong", requestHash: `h${o.body}` };
      const step = conversionStep(s, cmd, now);
      if (!step.ok) return this.refused(step.reason.code);
      if (step.value.replay) return;
      const earned = payoutFor(payout, s.routing!.priceMicros, {
        durationSec: s.durationSec,
        converted: true,
      });
      const next = converted(s, cmd, earned, now);
      this.bill(next);
      this.calls[i!] = next;
    } else if (o.op === "open") this.openDispute(o);
    else this.decide(o);
  }

  openDispute(o: Extract<Op, { op: "open" }>) {
    const [, s] = this.pick(o.call, o.anyCall, (c) => (c.billing?.chargedMicros ?? 0) > 0) ?? [];
    if (!s) return;
    const charge = this.book.charges.get(s.callId);
    const notCharged = codeOf(() => mustBeCharged(s.callId, charge && { micros: charge.charged }));
    // A call billed nothing (short, failed, awaiting or never converted, or priced zero) can't be disputed.
    const billed = s.billing?.billable === true && s.billing.chargedMicros > 0;
    expect(notCharged).toBe(billed ? undefined : "not_charged");
    if (notCharged) return this.refused(notCharged);
    if (this.open.has(s.callId)) return this.refused("dispute_open");
    const left = this.leftOf(s.callId);
    const noneLeft = codeOf(() => mustHaveLeft(s.callId, left));
    if (noneLeft) return this.refused(noneLeft);
    const id = `dsp_${this.disputes++}`;
    const verdict = autoResolve(o.reason, {
      durationSec: s.durationSec ?? null,
      carrierMeasured: o.recordedSec !== null,
      recordedSec: o.recordedSec,
      minDurationSec: MIN_SEC,
      hangupBy: o.hangupBy,
      duplicate: { windowDays: 30, prior: o.priorCaller ? { callId: "call_x", offeredAt: "t" } : null },
    });
    if (verdict.status === "accepted") this.refund(s.callId, id, left);
    else if (verdict.status === "open") this.open.set(s.callId, id);
  }

  decide(o: Extract<Op, { op: "decide" }>) {
    const open = [...this.open.keys()];
    if (open.length === 0) return this.refused("dispute_unknown");
    const callId = open[o.pick % open.length]!;
    const id = this.open.get(callId)!;
    const left = this.leftOf(callId);
    const refundMicros = o.over > 0 ? left + o.over : Math.max(1, Math.ceil(left * o.share));
    let amount = 0;
    const code = codeOf(() => {
      amount = decisionRefund(callId, { decision: o.decision, refundMicros }, left);
    });
    // A refused decision rolls back: the dispute stays open, nothing is posted.
    if (code) return this.refused(code);
    if (amount > 0) this.refund(callId, id, amount);
    this.open.delete(callId);
  }
}

function checkInvariants(x: Exchange) {
  const { book } = x;
  const all = [...book.postings.values()];
  for (const p of all) expect(total(p.entries)).toBe(0);
  // A call is charged at most once, and only what the buyer actor captured.
  const charges = all.filter((p) => p.kind === "charge");
  expect(new Set(charges.map((p) => p.reference)).size).toBe(charges.length);
  expect(charges.length).toBe(x.captures);
  for (const p of charges) {
    const buyer = p.entries.find((e) => e.accountId.startsWith("buyer:"))!.amountMicros;
    const seller =
      -(p.entries.find((e) => e.accountId.startsWith("seller_pending:"))?.amountMicros ?? 0) || 0;
    const margin = -(p.entries.find((e) => e.accountId === "revenue")?.amountMicros ?? 0) || 0;
    // A payout never exceeds its charge: the margin is never negative.
    expect(seller).toBeLessThanOrEqual(buyer);
    expect(margin).toBeGreaterThanOrEqual(0);
    expect(seller + margin).toBe(buyer);
  }
  for (const [callId, c] of book.charges) {
    const r = book.refunded(callId);
    // Refunds never exceed the charge; the seller's clawback is exactly ⌊P·R/C⌋, the margin the rest.
    expect(r.b).toBeLessThanOrEqual(c.charged);
    expect(r.s).toBe(c.charged === 0 ? 0 : Math.floor((c.payout * r.b) / c.charged));
    expect(r.m).toBe(r.b - r.s);
    expect(r.m).toBeGreaterThanOrEqual(0);
    expect(book.pendingLeft(callId, c.sellerId)).toBeGreaterThanOrEqual(0);
  }
  for (const s of x.calls) {
    const billed = s.billing?.billable === true;
    expect(book.charges.has(s.callId)).toBe(billed);
    if (billed) continue;
    // An unbilled call (short, failed, awaiting or never converted) has no posting at all.
    expect(all.filter((p) => callOf(p.reference) === s.callId)).toEqual([]);
    expect(x.open.has(s.callId)).toBe(false);
  }
  // The buyer's balance is its deposit less what the ledger charged it net of refunds; its holds are
  // exactly its live calls and those awaiting a conversion.
  expect(x.buyer.balanceMicros).toBe(DEPOSIT - book.sum(buyerAccount(BUYER)));
  const live = x.calls.filter((c) => c.status === "connected" || c.conversion?.status === "awaiting");
  expect(balanceOf(x.buyer).reservedMicros).toBe(live.reduce((a, c) => a + c.routing!.priceMicros, 0));
  expect(Object.keys(x.buyer.reservations).sort()).toEqual(live.map((c) => c.callId).sort());
  expectSellerPositions(book, SELLERS);
}

const CALLS = 12;
const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
const anyCall = fc.oneof(w(3, fc.constant(false)), w(1, fc.constant(true)));
const op: fc.Arbitrary<Op> = fc.oneof(
  w(
    3,
    fc.record({
      op: fc.constant("call" as const),
      conversion: fc.boolean(),
      price: fc.oneof(
        w(1, fc.constant(0)),
        w(2, fc.integer({ min: 1, max: 7 })),
        w(6, fc.integer({ min: 1, max: BID })),
      ),
      seller: fc.nat(SELLERS.length - 1),
    }),
  ),
  w(
    4,
    fc.record({
      op: fc.constant("complete" as const),
      call: fc.nat(CALLS),
      anyCall,
      durationSec: fc.integer({ min: 0, max: 300 }),
    }),
  ),
  w(
    3,
    fc.record({
      op: fc.constant("convert" as const),
      call: fc.nat(CALLS),
      anyCall,
      rightKey: fc.boolean(),
      body: fc.nat(1),
    }),
  ),
  w(
    2,
    fc.record({ op: fc.constant("advance" as const), sec: fc.constantFrom(1, 30, 61, 3_600, 8 * 86_400) }),
  ),
  w(1, fc.record({ op: fc.constant("windows" as const) })),
  w(1, fc.record({ op: fc.constant("holds" as const) })),
  w(
    4,
    fc.record({
      op: fc.constant("open" as const),
      call: fc.nat(CALLS),
      anyCall,
      reason: fc.constantFrom(...DISPUTE_REASONS),
      recordedSec: fc.option(fc.integer({ min: 0, max: 300 }), { nil: null }),
      hangupBy: fc.constantFrom("caller" as const, "buyer" as const, "system" as const, null),
      priorCaller: fc.boolean(),
    }),
  ),
  w(
    4,
    fc.record({
      op: fc.constant("decide" as const),
      pick: fc.nat(CALLS),
      decision: fc.constantFrom("accept" as const, "partial" as const, "reject" as const),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
      over: fc.oneof(w(5, fc.constant(0)), w(1, fc.integer({ min: 1, max: 1000 }))),
    }),
  ),
  w(
    2,
    fc.record({
      op: fc.constant("payout" as const),
      seller: fc.option(fc.nat(SELLERS.length - 1), { nil: null }),
    }),
  ),
);
const script = fc.array(op, { minLength: 10, maxLength: 80, size: "max" });

const shares: fc.Arbitrary<Payout> = fc.record({
  type: fc.constant("share" as const),
  percent: fc.integer({ min: 0, max: 10_000 }).map((bp) => bp / 100),
}) as fc.Arbitrary<Payout>;
const terms: fc.Arbitrary<Terms> = fc.record({
  payout: fc.oneof(fixedPayouts, shares),
  holdSec: fc.array(fc.constantFrom(0, 60, 7 * 86_400), {
    minLength: SELLERS.length,
    maxLength: SELLERS.length,
  }),
});

describe("money workflows: conversions and disputes in one sequence (property)", () => {
  it("keep every ledger invariant after every step", () => {
    fc.assert(
      fc.property(terms, script, (t, ops) => {
        const x = new Exchange(t);
        for (const o of ops) {
          x.apply(o);
          checkInvariants(x);
        }
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it("reaches each kind of step: conversions billed, disputes refunded in part, clawbacks owed", () => {
    // The generator must reach the interesting states, or the property proves little.
    const seen = { converted: 0, partial: 0, owed: 0, notCharged: 0, exceeds: 0, windowClosed: 0 };
    fc.assert(
      fc.property(terms, script, (t, ops) => {
        const x = new Exchange(t);
        for (const o of ops) {
          const before = x.book.postings.size;
          x.apply(o);
          if (o.op === "convert" && x.book.postings.size > before) seen.converted++;
          if (o.op === "decide" && o.decision === "partial" && x.book.postings.size > before) seen.partial++;
        }
        if (SELLERS.some((s) => x.book.position(s).receivable > 0)) seen.owed++;
        seen.notCharged += x.refusals.not_charged ?? 0;
        seen.exceeds += x.refusals.refund_exceeds_charge ?? 0;
        seen.windowClosed += x.refusals.conversion_window_closed ?? 0;
      }),
      { numRuns: 100, seed: 16 },
    );
    for (const [k, n] of Object.entries(seen)) expect(n, k).toBeGreaterThan(0);
  }, 60_000);

  it("a converted call and a duration call, each disputed after payout: clawbacks at ⌊P·R/C⌋", () => {
    const x = new Exchange({
      payout: { type: "fixed", amountMicros: 333, perConversionMicros: 700 },
      holdSec: [60, 60],
    });
    x.apply({ op: "call", conversion: true, price: 1000, seller: 0 }); // call_0
    x.apply({ op: "call", conversion: false, price: 1000, seller: 0 }); // call_1
    x.apply({ op: "complete", call: 0, anyCall: true, durationSec: 45 });
    x.apply({ op: "complete", call: 1, anyCall: true, durationSec: 45 });
    x.apply({ op: "convert", call: 0, anyCall: true, rightKey: true, body: 0 });
    expect(x.book.charges.get("call_0")).toEqual({ charged: 1000, payout: 700, sellerId: "s0" });
    expect(x.book.charges.get("call_1")).toEqual({ charged: 1000, payout: 333, sellerId: "s0" });
    x.apply({ op: "advance", sec: 60 });
    x.apply({ op: "payout", seller: 0 });
    expect(x.book.position("s0")).toEqual({ pending: 0, payable: 0, receivable: 0 });
    const open = {
      op: "open",
      anyCall: true,
      reason: "other",
      recordedSec: null,
      hangupBy: null,
      priorCaller: false,
    } as const;
    x.apply({ ...open, call: 0 });
    x.apply({ op: "decide", pick: 0, decision: "partial", share: 0.3, over: 0 }); // 300: seller ⌊700·300/1000⌋
    x.apply({ ...open, call: 1 });
    x.apply({ op: "decide", pick: 0, decision: "partial", share: 0.001, over: 0 }); // 1: seller ⌊333/1000⌋ = 0
    x.apply({ ...open, call: 1 });
    x.apply({ op: "decide", pick: 0, decision: "partial", share: 0.5, over: 0 }); // 500 more: ⌊333·501/1000⌋
    expect(x.book.refunded("call_0")).toEqual({ b: 300, s: 210, m: 90 });
    expect(x.book.refunded("call_1")).toEqual({ b: 501, s: 166, m: 335 });
    expect(x.book.position("s0")).toEqual({ pending: 0, payable: 0, receivable: 376 });
    x.apply({ ...open, call: 1 });
    x.apply({ op: "decide", pick: 0, decision: "accept", share: 0, over: 0 }); // the rest: all 333 back
    expect(x.book.refunded("call_1")).toEqual({ b: 1000, s: 333, m: 667 });
    x.apply({ ...open, call: 1 });
    expect(x.refusals.already_refunded).toBe(1);
    expect(x.buyer.balanceMicros).toBe(DEPOSIT - 2000 + 1300);
    checkInvariants(x);
  });
});
