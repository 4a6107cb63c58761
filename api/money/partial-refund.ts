// A refund of part (or all) of a call's charge, pure: the buyer gets the amount back; the seller's
// payout and the exchange's margin give back the same proportion of what they got from the charge.
// Rounding: the seller's give-back is cumulative and rounded down — after refunds totalling R of a
// charge C with payout P, the seller has given back exactly floor(P·R/C) — and the exchange's margin
// gives back the rest of each refund. So the seller never returns more than its share so far, every
// posting sums to zero, and refunds that add up to the whole charge return exactly P and C − P.
import type { Micros } from "../../actors/kernel/money.ts";
import {
  buyerAccount,
  draft,
  type Entry,
  type PostingDraft,
  REVENUE,
  sellerAccount,
  sellerPendingAccount,
  sellerReceivableAccount,
} from "../ledger/postings.ts";
import { giveBackSplit } from "./postings.ts";

/** The charge's parties and amounts, read back from its entries. */
export function chargeParts(charge: Entry[]) {
  const buyer = charge.find((e) => e.accountId.startsWith("buyer:"));
  const seller = charge.find((e) => /^seller(_pending)?:/.test(e.accountId));
  if (!buyer) throw new RangeError("a charge has a buyer entry");
  const ownerOf = (id: string) => id.slice(id.indexOf(":") + 1);
  return {
    buyerId: ownerOf(buyer.accountId),
    /** Empty when the payout was zero (its line is left out): the seller then gives nothing back. */
    sellerId: seller ? ownerOf(seller.accountId) : "",
    /** A charge from before payout holds credited the payable directly: nothing of it is on hold. */
    held: seller?.accountId.startsWith("seller_pending:") ?? false,
    chargedMicros: buyer.amountMicros,
    payoutMicros: seller ? -seller.amountMicros || 0 : 0,
  };
}

/** The seller's and the exchange's parts of refunding `amount` after `before` was refunded already. */
export function refundShares(charged: Micros, payout: Micros, before: Micros, amount: Micros) {
  if (!(amount > 0 && before >= 0 && before + amount <= charged && payout >= 0 && payout <= charged))
    throw new RangeError(`refund ${amount} after ${before} of a charge of ${charged} (payout ${payout})`);
  // BigInt: payout × refunded can pass 2^53 for large amounts; the quotient cannot.
  const upTo = (r: number) => Number((BigInt(payout) * BigInt(r)) / BigInt(charged));
  const seller = upTo(before + amount) - upTo(before);
  return { sellerMicros: seller, marginMicros: amount - seller };
}

/**
 * The posting of refunding `amount` of the call's charge (`before` refunded already), once per
 * `reference`: the seller's part comes from what the call still has on hold, then from the seller's
 * payable; the rest becomes a receivable the seller owes (netted against its later releases).
 */
export function partialRefundPosting(
  reference: string,
  charge: Entry[],
  before: Micros,
  amount: Micros,
  seller: { pendingLeft: Micros; payable: Micros },
  at: string,
  reason: string,
): PostingDraft & { sellerMicros: number; marginMicros: number } {
  const c = chargeParts(charge);
  const shares = refundShares(c.chargedMicros, c.payoutMicros, before, amount);
  const s = giveBackSplit(shares.sellerMicros, c.held ? seller.pendingLeft : 0, seller.payable);
  const entries = [
    { accountId: buyerAccount(c.buyerId), amountMicros: -amount },
    { accountId: sellerPendingAccount(c.sellerId), amountMicros: s.fromPending },
    { accountId: sellerAccount(c.sellerId), amountMicros: s.fromPayable },
    { accountId: sellerReceivableAccount(c.sellerId), amountMicros: s.owed },
    { accountId: REVENUE, amountMicros: shares.marginMicros },
  ].filter((e) => e.amountMicros !== 0);
  const callId = reference.split(":")[0]!;
  const memo = `refund of ${amount} of call ${callId}: ${reason}`;
  return { ...draft("refund", reference, memo, at, entries), ...shares };
}
