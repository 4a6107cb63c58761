// Refunds of part or all of a call's charge in Postgres: how much of the charge is refunded so far,
// and posting one more refund (under the seller-money lock, so the seller side sees its position).
import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { postingEntries, postOnce, type Tx } from "../ledger/ledger.ts";
import { lockSellerMoney, pendingLeft, sellerPosition } from "./holds.ts";
import { chargeParts, partialRefundPosting } from "./partial-refund.ts";

type Q = Db | Tx;

/** What the call's buyer got back so far: every refund posting of the call (`<callId>` or `<callId>:…`). */
export async function refundedMicros(q: Q, callId: string, buyerId: string): Promise<number> {
  const [row] = (await q.execute(sql`
    select coalesce(sum(e.amount_micros), 0)::bigint as sum
    from ledger_postings p join ledger_entries e on e.posting_id = p.id
    where p.kind = 'refund' and split_part(p.reference, ':', 1) = ${callId}
      and e.account_id = ${`buyer:${buyerId}`}`)) as unknown as { sum: string }[];
  return -Number(row?.sum ?? 0) || 0;
}

export interface RefundDone {
  posted: boolean;
  postingId: string;
  refundMicros: number;
  sellerMicros: number;
  marginMicros: number;
}

/**
 * Refunds `amount` of the call's charge under `reference` (once: a second call with the same reference
 * posts nothing and answers posted: false). Throws RangeError when the call has no charge or the amount
 * is not within what is left to refund; callers check first.
 */
export async function refundPart(
  tx: Tx,
  callId: string,
  reference: string,
  amount: number,
  at: string,
  reason: string,
): Promise<RefundDone> {
  await lockSellerMoney(tx);
  const charge = await postingEntries(tx, "charge", callId);
  if (!charge) throw new RangeError(`call ${callId} has no charge`);
  const c = chargeParts(charge);
  const before = await refundedMicros(tx, callId, c.buyerId);
  const left = await pendingLeft(tx, callId, c.sellerId);
  const { payableMicros } = await sellerPosition(tx, c.sellerId);
  const d = partialRefundPosting(
    reference,
    charge,
    before,
    amount,
    { pendingLeft: left, payable: payableMicros },
    at,
    reason,
  );
  const posted = await postOnce(tx, d);
  return {
    posted,
    postingId: d.id,
    refundMicros: amount,
    sellerMicros: d.sellerMicros,
    marginMicros: d.marginMicros,
  };
}
