// A seller's monthly statement over all its money (on hold, payable, owed back): one line per posting
// (releases only move money between those, so they are not lines), and for each call charged its
// payout's availability: pending until its hold ends (availableAt), then available; or refunded.
import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { sellerAccount, sellerPendingAccount, sellerReceivableAccount } from "../ledger/postings.ts";
import { monthRange, type Statement } from "../ledger/statement.ts";

export type Availability = "pending" | "available" | "refunded";
export type SellerStatement = Omit<Statement, "lines"> & {
  lines: (Statement["lines"][number] & { availability?: Availability; availableAt?: string })[];
};

const iso = (t: string | Date) => new Date(t).toISOString();

export async function sellerStatement(db: Db, sellerId: string, month: string): Promise<SellerStatement> {
  const { from, to } = monthRange(month);
  const accounts = [sellerPendingAccount, sellerAccount, sellerReceivableAccount].map((f) => f(sellerId));
  const list = sql.join(
    accounts.map((a) => sql`${a}`),
    sql`, `,
  );
  const [opening] = (await db.execute(sql`
    select coalesce(sum(e.amount_micros), 0)::bigint as sum from ledger_entries e
    join ledger_postings p on p.id = e.posting_id
    where e.account_id in (${list}) and p.occurred_at < ${from}`)) as unknown as { sum: string }[];
  const rows = (await db.execute(sql`
    select p.occurred_at, p.id, p.kind, p.reference, p.memo, sum(e.amount_micros)::bigint as amount,
      h.available_at, h.released_at,
      (exists (select 1 from ledger_postings r where r.kind = 'refund' and r.reference = p.reference)
        -- or disputes' refunds (<callId>:<disputeId>) gave the buyer the whole charge back
        or (p.kind = 'charge'
          and exists (select 1 from ledger_postings r
            where r.kind = 'refund' and split_part(r.reference, ':', 1) = p.reference)
          and (select coalesce(sum(b.amount_micros), 0) from ledger_entries b
            join ledger_postings r on r.id = b.posting_id
            where (r.id = p.id or (r.kind = 'refund' and split_part(r.reference, ':', 1) = p.reference))
              and b.account_id like 'buyer:%') <= 0)) as refunded
    from ledger_entries e
    join ledger_postings p on p.id = e.posting_id
    left join payout_holds h on p.kind = 'charge' and h.call_id = p.reference
    where e.account_id in (${list}) and p.kind <> 'release' and p.occurred_at >= ${from} and p.occurred_at < ${to}
    group by p.id, h.call_id
    order by p.occurred_at, min(e.id)`)) as unknown as {
    occurred_at: string;
    id: string;
    kind: string;
    reference: string;
    memo: string | null;
    amount: string;
    available_at: string | null;
    released_at: string | null;
    refunded: boolean;
  }[];
  let balance = -Number(opening?.sum ?? 0) || 0;
  const openingBalanceMicros = balance;
  const lines = rows.map((r) => {
    const amountMicros = -Number(r.amount) || 0;
    balance += amountMicros;
    const line = {
      occurredAt: iso(r.occurred_at),
      postingId: r.id,
      kind: r.kind,
      reference: r.reference,
      memo: r.memo,
      amountMicros,
      balanceMicros: balance,
    };
    if (r.kind !== "charge") return line;
    // A charge from before holds (no hold row) was available when charged.
    const availability: Availability = r.refunded
      ? "refunded"
      : r.available_at === null || r.released_at !== null
        ? "available"
        : "pending";
    return { ...line, availability, availableAt: iso(r.available_at ?? r.occurred_at) };
  });
  return { accountId: sellerId, month, from, to, openingBalanceMicros, closingBalanceMicros: balance, lines };
}
