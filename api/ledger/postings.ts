// Pure double-entry posting builders: each money movement as a balanced set of signed entries.
// See ledger-schema.ts for the sign convention (cash +; buyer, seller, revenue credit-normal −).
import { createHash } from "node:crypto";
import { isMicros, type Micros } from "../../actors/kernel/money.ts";

export type PostingKind = "deposit" | "charge" | "refund" | "payout" | "release";

export interface Entry {
  accountId: string;
  amountMicros: Micros;
}

export interface PostingDraft {
  id: string;
  kind: PostingKind;
  reference: string;
  memo: string;
  occurredAt: string;
  eventId?: string;
  entries: Entry[];
}

export const CASH = "cash";
export const REVENUE = "revenue";
export const buyerAccount = (buyerId: string) => `buyer:${buyerId}`;
/** What the exchange owes a seller now (its payable: available, paid by payout runs). */
export const sellerAccount = (sellerId: string) => `seller:${sellerId}`;
/** A seller's earnings on hold (api/money): released to its payable when the hold ends. */
export const sellerPendingAccount = (sellerId: string) => `seller_pending:${sellerId}`;
/** What a seller owes the exchange (a refund of a call already paid out), netted against releases. */
export const sellerReceivableAccount = (sellerId: string) => `seller_receivable:${sellerId}`;

/** Deterministic: the same movement always gets the same posting id. */
export function postingId(kind: PostingKind, reference: string): string {
  return `pst_${createHash("sha256").update(`${kind}\u0000${reference}`).digest("hex").slice(0, 28)}`;
}

export function draft(
  kind: PostingKind,
  reference: string,
  memo: string,
  occurredAt: string,
  entries: Entry[],
  eventId?: string,
) {
  const d: PostingDraft = {
    id: postingId(kind, reference),
    kind,
    reference,
    memo,
    occurredAt,
    entries,
    eventId,
  };
  assertBalanced(d);
  return d;
}

export function assertBalanced(d: PostingDraft): void {
  let sum = 0;
  for (const e of d.entries) {
    if (!isMicros(e.amountMicros))
      throw new RangeError(`${d.id}: entry amount ${e.amountMicros} is not integer micros`);
    sum += e.amountMicros;
  }
  if (sum !== 0) throw new RangeError(`${d.id}: entries sum to ${sum}, not zero`);
  if (d.entries.length < 2) throw new RangeError(`${d.id}: a posting needs at least two entries`);
}

/** Drops zero entries (a zero payout or margin) so every line moves money. */
const moving = (entries: Entry[]) => entries.filter((e) => e.amountMicros !== 0);

export function depositPosting(depositId: string, buyerId: string, amount: Micros, at: string): PostingDraft {
  if (amount <= 0) throw new RangeError("a deposit is positive");
  return draft("deposit", depositId, `deposit by ${buyerId}`, at, [
    { accountId: CASH, amountMicros: amount },
    { accountId: buyerAccount(buyerId), amountMicros: -amount },
  ]);
}

export interface Billable {
  callId: string;
  buyerId: string;
  sellerId: string;
  chargedMicros: Micros;
  payoutMicros: Micros;
  marginMicros: Micros;
}

/**
 * A billable call: the buyer pays the price; the seller earns its payout, pending until its hold ends
 * (api/money releases it to the payable); the exchange keeps the margin.
 */
export function chargePosting(b: Billable, at: string, eventId?: string): PostingDraft {
  if (b.payoutMicros + b.marginMicros !== b.chargedMicros || b.payoutMicros < 0 || b.marginMicros < 0) {
    throw new RangeError(
      `${b.callId}: payout ${b.payoutMicros} + margin ${b.marginMicros} ≠ charge ${b.chargedMicros}`,
    );
  }
  const buyer = { accountId: buyerAccount(b.buyerId), amountMicros: b.chargedMicros };
  const seller = { accountId: sellerPendingAccount(b.sellerId), amountMicros: -b.payoutMicros || 0 };
  // A zero-price call (bid 0, reserve 0) is billed as zero: a charge of two zero lines, buyer and
  // seller, so every captured call has exactly one charge and statements show the call at 0.
  const entries =
    b.chargedMicros === 0
      ? [buyer, seller]
      : moving([buyer, seller, { accountId: REVENUE, amountMicros: -b.marginMicros }]);
  return draft("charge", b.callId, `charge for call ${b.callId}`, at, entries, eventId);
}

/** Paying a seller what it is owed moves the payable to cash out. */
export function payoutPosting(payoutId: string, sellerId: string, amount: Micros, at: string): PostingDraft {
  if (amount <= 0) throw new RangeError("a payout is positive");
  return draft("payout", `${payoutId}:${sellerId}`, `payout ${payoutId} to ${sellerId}`, at, [
    { accountId: sellerAccount(sellerId), amountMicros: amount },
    { accountId: CASH, amountMicros: -amount },
  ]);
}
