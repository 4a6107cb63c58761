// Test support for the money property tests: an in-memory ledger that takes each posting once per id
// and reads back account sums and a seller's position, as Postgres and api/money read them; and the
// steps the property tests share, each with the real posting builders: a call's charge with its payout
// on hold, the sweep that releases ended holds (api/money/holds.ts) and a payout run
// (api/money/payout.ts).
import { expect } from "vitest";
import {
  type Billable,
  chargePosting,
  type Entry,
  type PostingDraft,
  payoutPosting,
  REVENUE,
  sellerAccount,
  sellerPendingAccount,
  sellerReceivableAccount,
} from "../ledger/postings.ts";
import { partialRefundPosting } from "./partial-refund.ts";
import { releasePosting } from "./postings.ts";

/** The call a posting belongs to: its reference is `<callId>` or `<callId>:<more>`. */
export const callOf = (reference: string) => reference.split(":")[0]!;

const total = (es: Entry[]) => es.reduce((s, e) => s + e.amountMicros, 0);

export type Position = { pending: number; payable: number; receivable: number };

export class PostingBook {
  postings = new Map<string, PostingDraft>();
  holds = new Map<string, { sellerId: string; availableAt: number; released: boolean }>();
  /** Every call charged, as charged. */
  charges = new Map<string, { charged: number; payout: number; sellerId: string }>();
  now = 0;
  runs = 0;

  /** Records the posting; false when its id was posted already (a redelivery). */
  post(d: PostingDraft): boolean {
    if (this.postings.has(d.id)) return false;
    this.postings.set(d.id, d);
    return true;
  }
  sum(accountId: string, f: (p: PostingDraft) => boolean = () => true) {
    let s = 0;
    for (const p of this.postings.values())
      if (f(p)) for (const e of p.entries) if (e.accountId === accountId) s += e.amountMicros;
    return s;
  }
  /** The seller's money on hold, payable and owed, as positive figures. */
  position(sellerId: string): Position {
    return {
      pending: -this.sum(sellerPendingAccount(sellerId)) || 0,
      payable: -this.sum(sellerAccount(sellerId)) || 0,
      receivable: this.sum(sellerReceivableAccount(sellerId)),
    };
  }
  /** As api/money/holds.ts reads it: charge, release and every refund of the call (`<callId>[:…]`). */
  pendingLeft(callId: string, sellerId: string) {
    return -this.sum(sellerPendingAccount(sellerId), (p) => callOf(p.reference) === callId) || 0;
  }
  /** The call's charge posting, if it was charged. */
  chargeOf(callId: string): PostingDraft | undefined {
    for (const p of this.postings.values()) if (p.kind === "charge" && p.reference === callId) return p;
    return undefined;
  }

  /** What a call's refunds gave the buyer (b), took from the seller's accounts (s) and the margin (m). */
  refunded(callId: string) {
    const out = { b: 0, s: 0, m: 0 };
    for (const p of this.postings.values()) {
      if (p.kind !== "refund" || callOf(p.reference) !== callId) continue;
      for (const e of p.entries) {
        if (e.accountId.startsWith("buyer:")) out.b -= e.amountMicros;
        else if (e.accountId === REVENUE) out.m += e.amountMicros;
        else out.s += e.amountMicros;
      }
    }
    return out;
  }

  /** Charges the call and holds its payout for `holdSec`; false when it was charged already. */
  charge(b: Billable, holdSec: number): boolean {
    if (!this.post(chargePosting(b, "t"))) return false;
    this.holds.set(b.callId, { sellerId: b.sellerId, availableAt: this.now + holdSec, released: false });
    this.charges.set(b.callId, { charged: b.chargedMicros, payout: b.payoutMicros, sellerId: b.sellerId });
    return true;
  }
  /** A call charged `charged` of which `pct` % (rounded down) is the seller's payout. */
  chargePct(callId: string, sellerId: string, charged: number, pct: number, holdSec: number) {
    const payout = Math.floor((charged * pct) / 100);
    const b = { callId, buyerId: "b", sellerId, chargedMicros: charged, payoutMicros: payout };
    return this.charge({ ...b, marginMicros: charged - payout }, holdSec);
  }
  /**
   * Refunds `amount` of the call's charge under `reference`, as api/money/refunds.ts does: after what
   * its refunds gave back so far, the seller's part from the call's pending, then its payable. Throws
   * the builder's RangeError when the call has no charge or the amount is not within what is left.
   */
  refundPart(callId: string, reference: string, amount: number) {
    const charge = this.chargeOf(callId);
    if (!charge) throw new RangeError(`call ${callId} has no charge`);
    const sellerId = this.charges.get(callId)!.sellerId;
    const seller = {
      pendingLeft: this.pendingLeft(callId, sellerId),
      payable: this.position(sellerId).payable,
    };
    const before = this.refunded(callId).b;
    const d = partialRefundPosting(reference, charge.entries, before, amount, seller, "t", "x");
    this.post(d);
    return d;
  }
  /** Releases every hold that has ended: what the call still has pending becomes payable (or pays owed). */
  sweep() {
    for (const [callId, h] of this.holds) {
      if (h.released || h.availableAt > this.now) continue;
      const left = this.pendingLeft(callId, h.sellerId);
      if (left > 0)
        this.post(releasePosting(callId, h.sellerId, left, this.position(h.sellerId).receivable, "t"));
      h.released = true;
    }
  }
  /** A payout run: the sweep, then each seller is paid its whole payable. What each seller got. */
  payoutRun(sellerIds: string[]) {
    this.sweep();
    const id = `pay_${this.runs++}`;
    const paid: { sellerId: string; paid: number; before: Position; after: Position }[] = [];
    for (const sellerId of sellerIds) {
      const before = this.position(sellerId);
      if (before.payable <= 0) continue;
      this.post(payoutPosting(id, sellerId, before.payable, "t"));
      paid.push({ sellerId, paid: before.payable, before, after: this.position(sellerId) });
    }
    return paid;
  }
}

/**
 * Each seller's position as the ledger holds it: nothing negative, never payable while it owes (what
 * it owes is netted first), and earned − given back − paid out = pending + payable − owed.
 */
export function expectSellerPositions(book: PostingBook, sellerIds: string[]) {
  const all = [...book.postings.values()];
  for (const sellerId of sellerIds) {
    const { pending, payable, receivable } = book.position(sellerId);
    expect(pending).toBeGreaterThanOrEqual(0);
    expect(receivable).toBeGreaterThanOrEqual(0);
    // Never a negative payable: what the seller owes back is a recorded receivable.
    expect(payable).toBeGreaterThanOrEqual(0);
    if (receivable > 0) expect(payable).toBe(0);
    const by = (kind: string) =>
      all
        .filter((p) => p.kind === kind)
        .reduce((s, p) => s + total(p.entries.filter((e) => e.accountId.endsWith(`:${sellerId}`))), 0);
    expect(-by("charge") - by("refund") - by("payout") || 0).toBe(pending + payable - receivable || 0);
  }
}
