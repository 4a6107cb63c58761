// A payout run: under the seller-money lock, release the holds that have ended, then pay each seller
// its payable (available money only; pending and owed money stay). Once per payout id.
import { and, eq, like } from "drizzle-orm";
import { ledgerAccounts, ledgerEntries, ledgerPostings } from "../db/ledger-schema.ts";
import { accountSums, postOnce, type Tx } from "../ledger/ledger.ts";
import { payoutPosting, sellerAccount } from "../ledger/postings.ts";
import { lockSellerMoney, releaseDue } from "./holds.ts";

export interface Paid {
  sellerId: string;
  amountMicros: number;
}

export async function payOut(tx: Tx, payoutId: string, now: number, sellerIds?: string[]): Promise<Paid[]> {
  // One seller-money writer at a time, so two runs never pay the same payable twice.
  await lockSellerMoney(tx);
  const existing = await tx
    .select({ amount: ledgerEntries.amountMicros, accountId: ledgerEntries.accountId })
    .from(ledgerPostings)
    .innerJoin(ledgerEntries, eq(ledgerEntries.postingId, ledgerPostings.id))
    .where(and(eq(ledgerPostings.kind, "payout"), like(ledgerPostings.reference, `${payoutId}:%`)));
  if (existing.length > 0) {
    return existing
      .filter((r) => r.accountId.startsWith("seller:"))
      .map((r) => ({ sellerId: r.accountId.slice("seller:".length), amountMicros: r.amount }));
  }
  // Holds that ended since the last sweep are released first: a run pays all that is available.
  for (;;) {
    const r = await releaseDue(tx, now, { sellerIds, limit: 500 });
    if (r.released < 500) break;
  }
  const sellers =
    sellerIds?.map(sellerAccount) ??
    (
      await tx.select({ id: ledgerAccounts.id }).from(ledgerAccounts).where(eq(ledgerAccounts.kind, "seller"))
    ).map((r) => r.id);
  const sums = await accountSums(tx, sellers);
  const at = new Date(now).toISOString();
  const paid: Paid[] = [];
  for (const [account, sum] of sums) {
    const payable = -sum;
    if (payable <= 0) continue;
    const sellerId = account.slice("seller:".length);
    await postOnce(tx, payoutPosting(payoutId, sellerId, payable, at));
    paid.push({ sellerId, amountMicros: payable });
  }
  return paid;
}
