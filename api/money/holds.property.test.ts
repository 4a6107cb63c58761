// Property: over random sequences of billable calls (redelivered too), time passing, hold releases,
// full refunds and payout runs, built with the real posting builders on an in-memory book, every
// ledger invariant holds after every step.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Entry } from "../ledger/postings.ts";
import { refundPosting } from "./postings.ts";
import { expectSellerPositions, PostingBook } from "./test-book.ts";

const SELLERS = ["s0", "s1"];
type Op =
  | { op: "call"; call: number; seller: number; charged: number; pct: number; holdSec: number }
  | { op: "advance"; sec: number }
  | { op: "sweep" }
  | { op: "refund"; call: number }
  | { op: "payout"; seller: number | null };

/** The shared book with the full refund of api/money/holds.ts. */
class Book extends PostingBook {
  paidAgainstAvailable: { paid: number; available: number }[] = [];

  apply(o: Op) {
    const callId = (n: number) => `call_${n}`;
    if (o.op === "call") this.chargePct(callId(o.call), SELLERS[o.seller]!, o.charged, o.pct, o.holdSec);
    else if (o.op === "advance") this.now += o.sec;
    else if (o.op === "sweep") this.sweep();
    else if (o.op === "refund") {
      const charge = this.chargeOf(callId(o.call));
      if (!charge || charge.entries.every((e) => e.amountMicros === 0)) return;
      const sellerId = this.holds.get(charge.reference)!.sellerId;
      const seller = {
        pendingLeft: this.pendingLeft(charge.reference, sellerId),
        payable: this.position(sellerId).payable,
      };
      this.post(refundPosting(charge.reference, charge.entries, seller, "t", "x"));
    } else {
      for (const r of this.payoutRun(o.seller === null ? SELLERS : [SELLERS[o.seller]!])) {
        expect(r.after.pending).toBe(r.before.pending); // held money is never paid
        this.paidAgainstAvailable.push({ paid: r.paid, available: r.before.payable });
      }
    }
  }
}

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("call" as const),
    call: fc.nat(5),
    seller: fc.nat(1),
    charged: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50_000_000 })),
    pct: fc.integer({ min: 0, max: 100 }),
    holdSec: fc.constantFrom(0, 60, 7 * 86_400),
  }),
  fc.record({ op: fc.constant("advance" as const), sec: fc.constantFrom(1, 60, 86_400, 8 * 86_400) }),
  fc.record({ op: fc.constant("sweep" as const) }),
  fc.record({ op: fc.constant("refund" as const), call: fc.nat(5) }),
  fc.record({ op: fc.constant("payout" as const), seller: fc.option(fc.nat(1), { nil: null }) }),
);

const total = (es: Entry[]) => es.reduce((s, e) => s + e.amountMicros, 0);

function checkInvariants(book: Book) {
  for (const p of book.postings.values()) expect(total(p.entries)).toBe(0);
  const kinds = (kind: string) => [...book.postings.values()].filter((p) => p.kind === kind);
  // One charge and at most one refund per call: no double charge, no double refund.
  for (const kind of ["charge", "refund", "release"]) {
    const refs = kinds(kind).map((p) => p.reference);
    expect(new Set(refs).size).toBe(refs.length);
  }
  expectSellerPositions(book, SELLERS);
  for (const [callId, h] of book.holds)
    expect(book.pendingLeft(callId, h.sellerId)).toBeGreaterThanOrEqual(0);
  for (const r of book.paidAgainstAvailable) expect(r.paid).toBeLessThanOrEqual(r.available);
  // Cash out never exceeds what was released to payables.
  const released = kinds("release").reduce(
    (s, p) => s - total(p.entries.filter((e) => e.accountId.startsWith("seller:"))),
    0,
  );
  const paidOut = kinds("payout").reduce(
    (s, p) => s + total(p.entries.filter((e) => e.accountId === "cash")),
    0,
  );
  expect(-paidOut).toBeLessThanOrEqual(released);
}

describe("payout holds (property)", () => {
  it("keep every ledger invariant over random calls, releases, refunds and payouts", () => {
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
  }, 60_000); // 200 runs take ~4 s alone, past the 5 s default on a loaded machine

  it("a refund after a payout becomes a receivable the next release pays first", () => {
    const book = new Book();
    book.apply({ op: "call", call: 1, seller: 0, charged: 100, pct: 50, holdSec: 60 });
    book.apply({ op: "payout", seller: 0 });
    expect(book.position("s0")).toEqual({ pending: 50, payable: 0, receivable: 0 });
    book.apply({ op: "advance", sec: 60 });
    book.apply({ op: "payout", seller: 0 });
    book.apply({ op: "refund", call: 1 });
    expect(book.position("s0")).toEqual({ pending: 0, payable: 0, receivable: 50 });
    book.apply({ op: "call", call: 2, seller: 0, charged: 200, pct: 40, holdSec: 60 });
    book.apply({ op: "advance", sec: 60 });
    book.apply({ op: "sweep" });
    expect(book.position("s0")).toEqual({ pending: 0, payable: 30, receivable: 0 });
    checkInvariants(book);
  });
});
