// Property: over random sequences of billable calls, disputes with partial refunds (the proportional
// clawback), full refunds of what is left, time passing, hold releases and payout runs, built with the
// real posting builders on an in-memory book, every ledger invariant holds after every step: each
// posting sums to zero, no call is refunded beyond its charge, the seller and the exchange never give
// back more than they got (and give back exactly that once the whole charge is refunded), and a
// seller's payable is never negative: what it owes is a recorded receivable.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Entry } from "../ledger/postings.ts";
import { expectSellerPositions, PostingBook } from "../money/test-book.ts";

const SELLERS = ["s0", "s1"];
type Op =
  | { op: "call"; call: number; seller: number; charged: number; pct: number; holdSec: number }
  | { op: "advance"; sec: number }
  | { op: "sweep" }
  /** A dispute decided with a refund of `share` (0..1] of what is left, or `over` micros past it. */
  | { op: "dispute"; call: number; share: number; over: number }
  | { op: "refundRest"; call: number }
  | { op: "payout"; seller: number | null };

const total = (es: Entry[]) => es.reduce((s, e) => s + e.amountMicros, 0);

class Book extends PostingBook {
  disputes = 0;
  refused = 0;

  refund(callId: string, reference: string, amount: (left: number) => number) {
    const c = this.charges.get(callId);
    if (!c || c.charged === 0) return;
    const before = this.refunded(callId).b;
    const want = amount(c.charged - before);
    if (want <= 0 || before + want > c.charged) {
      // The route refuses these (already_refunded, refund_exceeds_charge); so does the builder.
      expect(() => this.refundPart(callId, reference, want)).toThrow(RangeError);
      this.refused++;
      return;
    }
    this.refundPart(callId, reference, want);
  }
  apply(o: Op) {
    const callId = (n: number) => `call_${n}`;
    if (o.op === "call") this.chargePct(callId(o.call), SELLERS[o.seller]!, o.charged, o.pct, o.holdSec);
    else if (o.op === "advance") this.now += o.sec;
    else if (o.op === "sweep") this.sweep();
    else if (o.op === "dispute") {
      const ref = `${callId(o.call)}:dsp_${this.disputes++}`;
      this.refund(callId(o.call), ref, (left) => (o.over > 0 ? left + o.over : Math.ceil(left * o.share)));
    } else if (o.op === "refundRest") this.refund(callId(o.call), callId(o.call), (left) => left);
    else this.payoutRun(o.seller === null ? SELLERS : [SELLERS[o.seller]!]);
  }
}

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("call" as const),
    call: fc.nat(5),
    seller: fc.nat(1),
    charged: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 7 }),
      fc.integer({ min: 1, max: 50_000_000 }),
    ),
    pct: fc.integer({ min: 0, max: 100 }),
    holdSec: fc.constantFrom(0, 60, 7 * 86_400),
  }),
  fc.record({ op: fc.constant("advance" as const), sec: fc.constantFrom(1, 60, 86_400, 8 * 86_400) }),
  fc.record({ op: fc.constant("sweep" as const) }),
  fc.record({
    op: fc.constant("dispute" as const),
    call: fc.nat(5),
    share: fc.double({ min: 0.01, max: 1, noNaN: true }),
    over: fc.oneof(
      { weight: 5, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 1000 }) },
    ),
  }),
  fc.record({ op: fc.constant("refundRest" as const), call: fc.nat(5) }),
  fc.record({ op: fc.constant("payout" as const), seller: fc.option(fc.nat(1), { nil: null }) }),
);

function checkInvariants(book: Book) {
  for (const p of book.postings.values()) expect(total(p.entries)).toBe(0);
  const all = [...book.postings.values()];
  expect(all.reduce((s, p) => s + total(p.entries), 0)).toBe(0);
  for (const [callId, c] of book.charges) {
    const r = book.refunded(callId);
    // No refund beyond the charge; each side gives back at most what it got, in proportion.
    expect(r.b).toBeLessThanOrEqual(c.charged);
    expect(r.s + r.m).toBe(r.b);
    expect(r.s).toBeGreaterThanOrEqual(0);
    expect(r.m).toBeGreaterThanOrEqual(0);
    expect(r.s).toBe(Math.floor((c.payout * r.b) / c.charged) || 0);
    if (r.b === c.charged) {
      expect(r.s).toBe(c.payout);
      expect(r.m).toBe(c.charged - c.payout);
    }
    expect(book.pendingLeft(callId, c.sellerId)).toBeGreaterThanOrEqual(0);
  }
  expectSellerPositions(book, SELLERS);
}

describe("disputes' partial refunds (property)", () => {
  it("keep every ledger invariant over random calls, disputes, refunds, releases and payouts", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60, size: "max" }), (ops) => {
        const book = new Book();
        for (const o of ops) {
          book.apply(o);
          checkInvariants(book);
        }
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it("a partial refund after payout claws back into a receivable the next release nets", () => {
    const book = new Book();
    book.apply({ op: "call", call: 1, seller: 0, charged: 100, pct: 60, holdSec: 60 });
    book.apply({ op: "advance", sec: 60 });
    book.apply({ op: "payout", seller: 0 });
    expect(book.position("s0")).toEqual({ pending: 0, payable: 0, receivable: 0 });
    book.apply({ op: "dispute", call: 1, share: 0.25, over: 0 }); // 25 back: seller 15, margin 10
    expect(book.position("s0")).toEqual({ pending: 0, payable: 0, receivable: 15 });
    expect(book.refunded("call_1")).toEqual({ b: 25, s: 15, m: 10 });
    book.apply({ op: "call", call: 2, seller: 0, charged: 50, pct: 50, holdSec: 60 });
    book.apply({ op: "advance", sec: 60 });
    book.apply({ op: "sweep" });
    expect(book.position("s0")).toEqual({ pending: 0, payable: 10, receivable: 0 });
    book.apply({ op: "refundRest", call: 1 }); // the other 75: seller 45, margin 30, all owed
    expect(book.refunded("call_1")).toEqual({ b: 100, s: 60, m: 40 });
    expect(book.position("s0")).toEqual({ pending: 0, payable: 0, receivable: 35 });
    checkInvariants(book);
  });
});
