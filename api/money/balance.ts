// A seller's balance from the ledger: what it earned, what refunds took back, what was paid out, and
// where the rest is now (pending on hold, payable, owed back), with its hold period.
import { eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { ledgerEntries, ledgerPostings } from "../db/ledger-schema.ts";
import { sellerPayoutTerms } from "../db/payout-schema.ts";
import { sellerAccount, sellerPendingAccount, sellerReceivableAccount } from "../ledger/postings.ts";
import { DEFAULT_HOLD_SEC } from "./holds.ts";

export async function holdSecOf(db: Db, sellerId: string): Promise<number> {
  const [t] = await db
    .select({ holdSec: sellerPayoutTerms.holdSec })
    .from(sellerPayoutTerms)
    .where(eq(sellerPayoutTerms.sellerId, sellerId));
  return t?.holdSec ?? DEFAULT_HOLD_SEC;
}

export async function sellerBalance(db: Db, sellerId: string) {
  const pending = sellerPendingAccount(sellerId);
  const payable = sellerAccount(sellerId);
  const receivable = sellerReceivableAccount(sellerId);
  const rows = await db
    .select({
      kind: ledgerPostings.kind,
      accountId: ledgerEntries.accountId,
      sum: sql<string>`coalesce(sum(${ledgerEntries.amountMicros}), 0)`,
    })
    .from(ledgerEntries)
    .innerJoin(ledgerPostings, eq(ledgerEntries.postingId, ledgerPostings.id))
    .where(inArray(ledgerEntries.accountId, [pending, payable, receivable]))
    .groupBy(ledgerPostings.kind, ledgerEntries.accountId);
  const sum = (f: (r: (typeof rows)[number]) => boolean) =>
    rows.filter(f).reduce((s, r) => s + Number(r.sum), 0);
  const earned = -sum((r) => r.kind === "charge");
  const refunded = sum((r) => r.kind === "refund");
  const paidOut = sum((r) => r.kind === "payout");
  return {
    sellerId,
    /** Available now: what the next payout run pays. */
    payableMicros: -sum((r) => r.accountId === payable) || 0,
    earnedMicros: earned || 0,
    refundedMicros: refunded,
    paidOutMicros: paidOut,
    pendingMicros: -sum((r) => r.accountId === pending) || 0,
    receivableMicros: sum((r) => r.accountId === receivable),
    payoutHoldDays: (await holdSecOf(db, sellerId)) / 86_400,
  };
}
