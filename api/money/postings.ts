// Pure postings of payout holds: the release of a held payout to the seller's payable (paying what
// the seller owes first), and a refund whose seller side comes from wherever the payout is now.
import type { Micros } from "../../actors/kernel/money.ts";
import {
  draft,
  type Entry,
  type PostingDraft,
  sellerAccount,
  sellerPendingAccount,
  sellerReceivableAccount,
} from "../ledger/postings.ts";

/** A seller's give-back: first what the call still has on hold, then the payable; the rest is owed. */
export function giveBackSplit(amount: Micros, pendingLeft: Micros, payable: Micros) {
  const fromPending = Math.min(amount, Math.max(pendingLeft, 0));
  const fromPayable = Math.min(amount - fromPending, Math.max(payable, 0));
  return { fromPending, fromPayable, owed: amount - fromPending - fromPayable };
}

/** A release pays the seller's receivable first; the rest becomes payable. */
export function releaseSplit(amount: Micros, receivable: Micros) {
  const toReceivable = Math.min(amount, Math.max(receivable, 0));
  return { toReceivable, toPayable: amount - toReceivable };
}

const moving = (entries: Entry[]) => entries.filter((e) => e.amountMicros !== 0);

/** The hold of a call's payout ends: `amount` (what is still pending) moves to payable or receivable. */
export function releasePosting(
  callId: string,
  sellerId: string,
  amount: Micros,
  receivable: Micros,
  at: string,
): PostingDraft {
  if (amount <= 0) throw new RangeError("a release is positive");
  const s = releaseSplit(amount, receivable);
  return draft(
    "release",
    callId,
    `release of call ${callId}'s payout to ${sellerId}`,
    at,
    moving([
      { accountId: sellerPendingAccount(sellerId), amountMicros: amount },
      { accountId: sellerReceivableAccount(sellerId), amountMicros: -s.toReceivable },
      { accountId: sellerAccount(sellerId), amountMicros: -s.toPayable },
    ]),
  );
}

const ownerOf = (accountId: string) => accountId.slice(accountId.indexOf(":") + 1);

/**
 * A full refund: the buyer and the exchange give back as charged; the seller gives back its payout
 * from what the call still has on hold (`pendingLeft`), then from its payable, and owes the rest (a
 * receivable, netted against its later releases). A charge from before holds credited the payable.
 */
export function refundPosting(
  callId: string,
  charge: Entry[],
  seller: { pendingLeft: Micros; payable: Micros },
  at: string,
  reason: string,
): PostingDraft {
  const memo = `refund of call ${callId}: ${reason}`;
  const reversed = charge.map((e) => ({ accountId: e.accountId, amountMicros: -e.amountMicros || 0 }));
  // A zero charge is reversed as two zero lines, like it was charged.
  if (charge.every((e) => e.amountMicros === 0)) return draft("refund", callId, memo, at, reversed);
  const entries: Entry[] = [];
  for (const e of reversed) {
    const held = e.accountId.startsWith("seller_pending:");
    if (!held && !e.accountId.startsWith("seller:")) {
      entries.push(e);
      continue;
    }
    const sellerId = ownerOf(e.accountId);
    const s = giveBackSplit(e.amountMicros, held ? seller.pendingLeft : 0, seller.payable);
    entries.push(
      { accountId: sellerPendingAccount(sellerId), amountMicros: s.fromPending },
      { accountId: sellerAccount(sellerId), amountMicros: s.fromPayable },
      { accountId: sellerReceivableAccount(sellerId), amountMicros: s.owed },
    );
  }
  return draft("refund", callId, memo, at, moving(entries));
}
