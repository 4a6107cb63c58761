// Payout holds in Postgres: a charge records when its payout becomes available; releases move due
// payouts from pending to payable; refunds and payout runs read where a seller's money is now. Every
// write that reads a seller's position (release, refund, payout) holds one advisory lock.
import { and, asc, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { ledgerEntries, ledgerPostings } from "../db/ledger-schema.ts";
import { payoutHolds } from "../db/payout-schema.ts";
import { accountSums, postOnce, type Tx } from "../ledger/ledger.ts";
import {
  type Billable,
  chargePosting,
  type Entry,
  sellerAccount,
  sellerPendingAccount,
  sellerReceivableAccount,
} from "../ledger/postings.ts";
import { refundPosting, releasePosting } from "./postings.ts";

export const DEFAULT_HOLD_DAYS = 7;
export const DEFAULT_HOLD_SEC = DEFAULT_HOLD_DAYS * 86_400;
type Q = Db | Tx;

/** One seller-money writer at a time: releases, refunds and payout runs never see a stale position. */
export const lockSellerMoney = (tx: Tx) =>
  tx.execute(sql`select pg_advisory_xact_lock(hashtext('dce:payouts'))`);

/** Posts a billable call's charge once and, the first time, its hold (charge time + the seller's hold). */
export async function postCharge(tx: Tx, b: Billable, at: string, eventId?: string): Promise<boolean> {
  const posted = await postOnce(tx, chargePosting(b, at, eventId));
  if (!posted) return false;
  await tx.execute(sql`
    insert into payout_holds (call_id, seller_id, payout_micros, available_at)
    values (${b.callId}, ${b.sellerId}, ${b.payoutMicros},
      ${at}::timestamptz + make_interval(secs => coalesce(
        (select hold_sec from seller_payout_terms where seller_id = ${b.sellerId}), ${DEFAULT_HOLD_SEC})))
    on conflict (call_id) do nothing`);
  return true;
}

export interface SellerPosition {
  pendingMicros: number;
  payableMicros: number;
  receivableMicros: number;
}

/** Where a seller's money is: on hold, payable (available), owed back by the seller. */
export async function sellerPosition(q: Q, sellerId: string): Promise<SellerPosition> {
  const [p, a, r] = [sellerPendingAccount, sellerAccount, sellerReceivableAccount].map((f) => f(sellerId));
  const sums = await accountSums(q, [p!, a!, r!]);
  return {
    pendingMicros: -(sums.get(p!) ?? 0) || 0,
    payableMicros: -(sums.get(a!) ?? 0) || 0,
    receivableMicros: sums.get(r!) ?? 0,
  };
}

/** What a call's payout still has on hold: its charge less what refunds (full or partial) and its release took. */
export async function pendingLeft(q: Q, callId: string, sellerId: string): Promise<number> {
  const [row] = await q
    .select({ sum: sql<string>`coalesce(sum(${ledgerEntries.amountMicros}), 0)` })
    .from(ledgerEntries)
    .innerJoin(ledgerPostings, eq(ledgerEntries.postingId, ledgerPostings.id))
    .where(
      and(
        inArray(ledgerPostings.kind, ["charge", "refund", "release"]),
        // A dispute's (partial) refund is referenced `<callId>:<disputeId>` (api/money/refunds.ts).
        or(
          eq(ledgerPostings.reference, callId),
          and(
            eq(ledgerPostings.kind, "refund"),
            sql`split_part(${ledgerPostings.reference}, ':', 1) = ${callId}`,
          ),
        ),
        eq(ledgerEntries.accountId, sellerPendingAccount(sellerId)),
      ),
    );
  return -Number(row?.sum ?? 0) || 0;
}

/**
 * Releases holds due at `now` (of `sellerIds`, or all), oldest first, at most `limit`, in the caller's
 * transaction. Answers how many holds it released and the micros moved.
 */
export async function releaseDue(
  tx: Tx,
  now: number,
  opts: { sellerIds?: string[]; limit?: number } = {},
): Promise<{ released: number; micros: number }> {
  await lockSellerMoney(tx);
  const at = new Date(now).toISOString();
  const due = await tx
    .select({ callId: payoutHolds.callId, sellerId: payoutHolds.sellerId })
    .from(payoutHolds)
    .where(
      and(
        isNull(payoutHolds.releasedAt),
        lte(payoutHolds.availableAt, at),
        opts.sellerIds ? inArray(payoutHolds.sellerId, opts.sellerIds) : undefined,
      ),
    )
    .orderBy(asc(payoutHolds.availableAt))
    .limit(opts.limit ?? 500);
  const receivable = new Map<string, number>();
  let micros = 0;
  for (const h of due) {
    const left = await pendingLeft(tx, h.callId, h.sellerId);
    if (left > 0) {
      const owed = receivable.get(h.sellerId) ?? (await sellerPosition(tx, h.sellerId)).receivableMicros;
      await postOnce(tx, releasePosting(h.callId, h.sellerId, left, owed, at));
      receivable.set(h.sellerId, Math.max(owed - left, 0));
      micros += left;
    }
    await tx.update(payoutHolds).set({ releasedAt: at }).where(eq(payoutHolds.callId, h.callId));
  }
  return { released: due.length, micros };
}

/** Releases everything due at `now`, batch by batch, each batch its own transaction. */
export async function releaseAllDue(db: Db, now: number, sellerIds?: string[]) {
  const total = { released: 0, micros: 0 };
  for (;;) {
    const r = await db.transaction((tx) => releaseDue(tx, now, { sellerIds, limit: 200 }));
    total.released += r.released;
    total.micros += r.micros;
    if (r.released < 200) return total;
  }
}

/** Refunds a call's charge in full (once): the seller side from where its payout is now. */
export async function refundCharge(
  tx: Tx,
  callId: string,
  charge: Entry[],
  at: string,
  reason: string,
): Promise<string> {
  await lockSellerMoney(tx);
  const seller = charge.find((e) => /^seller(_pending)?:/.test(e.accountId));
  const sellerId = seller?.accountId.slice(seller.accountId.indexOf(":") + 1);
  const left = sellerId ? await pendingLeft(tx, callId, sellerId) : 0;
  const payable = sellerId ? (await sellerPosition(tx, sellerId)).payableMicros : 0;
  const draft = refundPosting(callId, charge, { pendingLeft: left, payable }, at, reason);
  await postOnce(tx, draft);
  return draft.id;
}
