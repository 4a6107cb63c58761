// Call-by-call reconciliation: every billable call has exactly one charge, equal to its price and
// posted to its buyer; every call that is not billable (ended or still open) has none; every charge
// belongs to a known call. Reads the calls read model beside the ledger, in one query each.
import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { Tx } from "./ledger.ts";
import type { CaptureProblem } from "./reconcile-captures.ts";

export interface CallMismatch {
  callId: string;
  buyerId: string | null;
  status: string | null;
  problem: "charge_missing" | "charge_amount" | "charge_unexpected" | "charge_orphan" | CaptureProblem;
  detail: string;
}

interface Row {
  call_id: string;
  buyer_id: string | null;
  status: string;
  billable: boolean | null;
  price_micros: string | null;
  charged_micros: string | null;
  charges: number;
  buyer_charged: string | null;
}

const num = (v: string | null) => (v === null ? null : Number(v));

/** One call's verdict from its read-model row and its charges (pure: tested in reconcile-calls.test.ts). */
export function callVerdict(r: {
  callId: string;
  buyerId: string | null;
  status: string;
  billable: boolean | null;
  priceMicros: number | null;
  chargedMicros: number | null;
  charges: number;
  buyerChargedMicros: number | null;
}): CallMismatch | undefined {
  const base = { callId: r.callId, buyerId: r.buyerId, status: r.status };
  if (r.billable !== true) {
    if (r.charges === 0) return undefined;
    return { ...base, problem: "charge_unexpected", detail: `${r.charges} charge(s) on a call not billable` };
  }
  if (r.charges !== 1)
    return { ...base, problem: "charge_missing", detail: `${r.charges} charges on a billable call` };
  if (r.buyerChargedMicros !== r.priceMicros || r.chargedMicros !== r.priceMicros) {
    return {
      ...base,
      problem: "charge_amount",
      detail: `price ${r.priceMicros}, call charged ${r.chargedMicros}, ledger charged buyer ${r.buyerChargedMicros}`,
    };
  }
  return undefined;
}

/** Calls offered since `since` (all when absent), and charges since then that no billable call explains. */
export async function reconcileCalls(
  db: Db | Tx,
  since?: string,
): Promise<{ checkedCalls: number; mismatches: CallMismatch[] }> {
  const from = since ?? "-infinity";
  const rows = (await db.execute(sql`
    select c.call_id, c.buyer_id, c.status, c.billable, c.price_micros, c.charged_micros,
      (select count(*)::int from ledger_postings p where p.kind = 'charge' and p.reference = c.call_id) as charges,
      (select sum(e.amount_micros) from ledger_postings p join ledger_entries e on e.posting_id = p.id
        where p.kind = 'charge' and p.reference = c.call_id and e.account_id = 'buyer:' || c.buyer_id) as buyer_charged
    from calls c where c.offered_at >= ${from}::timestamptz`)) as unknown as Row[];
  const mismatches: CallMismatch[] = [];
  for (const r of rows) {
    const m = callVerdict({
      callId: r.call_id,
      buyerId: r.buyer_id,
      status: r.status,
      billable: r.billable,
      priceMicros: num(r.price_micros),
      chargedMicros: num(r.charged_micros),
      charges: r.charges,
      buyerChargedMicros: num(r.buyer_charged),
    });
    if (m) mismatches.push(m);
  }
  const orphans = (await db.execute(sql`
    select p.reference as call_id from ledger_postings p
    where p.kind = 'charge' and p.occurred_at >= ${from}::timestamptz
      and not exists (select 1 from calls c where c.call_id = p.reference)`)) as unknown as {
    call_id: string;
  }[];
  for (const o of orphans) {
    mismatches.push({
      callId: o.call_id,
      buyerId: null,
      status: null,
      problem: "charge_orphan",
      detail: "a charge for a call the calls read model does not know",
    });
  }
  return { checkedCalls: rows.length, mismatches };
}
