// Capture by capture: every call a buyer actor captured (its `buyer.captured` event, less a
// `buyer.capture_voided` by `npm run repair`) has exactly one charge posting, to that buyer, of the
// captured amount, and every charge posting has its capture.
// Both sides are read from Postgres in one statement (the caller runs it inside the repeatable-read
// snapshot it reconciles in). A pair still in flight (one side recorded less than `graceMs` before
// the snapshot, the other not yet) is counted, not reported.
import { sql } from "drizzle-orm";
import type { Tx } from "./ledger.ts";

export type CaptureProblem = "capture_uncharged" | "charge_uncaptured" | "capture_amount" | "capture_count";

export interface CaptureMismatch {
  callId: string;
  buyerId: string | null;
  status: null;
  problem: CaptureProblem;
  detail: string;
  /** The one side's amount: captured (capture_uncharged) or charged to the buyer (charge_uncaptured). */
  amountMicros?: number | null;
}

export interface CapturePair {
  callId: string;
  captures: number;
  capturedBuyerId: string | null;
  capturedMicros: number | null;
  charges: number;
  chargedBuyerId: string | null;
  chargedMicros: number | null;
  /** The newer side was recorded less than the grace window before the snapshot. */
  recent: boolean;
}

/** One call's verdict from its captures and charge postings (pure: tested beside this file). */
export function captureVerdict(p: CapturePair): CaptureMismatch | "in_flight" | undefined {
  const base = { callId: p.callId, buyerId: p.capturedBuyerId ?? p.chargedBuyerId, status: null };
  if (p.captures === 1 && p.charges === 1) {
    if (p.capturedBuyerId === p.chargedBuyerId && p.capturedMicros === p.chargedMicros) return undefined;
    return {
      ...base,
      problem: "capture_amount",
      detail: `captured ${p.capturedMicros} from ${p.capturedBuyerId}, charged ${p.chargedMicros} to ${p.chargedBuyerId}`,
    };
  }
  if ((p.captures === 0 || p.charges === 0) && p.recent) return "in_flight";
  if (p.charges === 0)
    return {
      ...base,
      problem: "capture_uncharged",
      detail: `${p.captures} capture(s), 0 charge postings`,
      amountMicros: p.capturedMicros,
    };
  if (p.captures === 0)
    return {
      ...base,
      problem: "charge_uncaptured",
      detail: `${p.charges} charge posting(s), 0 captures`,
      amountMicros: p.chargedMicros,
    };
  return {
    ...base,
    problem: "capture_count",
    detail: `${p.captures} captures, ${p.charges} charge postings`,
  };
}

interface Row {
  call_id: string;
  captures: number;
  captured_buyer: string | null;
  captured_micros: string | null;
  charges: number;
  charged_buyer: string | null;
  charged_micros: string | null;
  recent: boolean;
}

const num = (v: string | null) => (v === null ? null : Number(v));
/** How far before `since` each side is read, so a pair split across `since` is still seen whole. */
const LOOK_BACK = "1 hour";

/** Captures and charge postings since `since` (all when absent), paired by call, in `tx`'s snapshot. */
export async function reconcileCaptures(
  tx: Tx,
  since: string | undefined,
  graceMs: number,
): Promise<{ checkedCaptures: number; inFlight: number; mismatches: CaptureMismatch[] }> {
  const from = since ?? "-infinity";
  const rows = (await tx.execute(sql`
    with caps as (
      select data->>'callId' as call_id,
        (count(*) filter (where type = 'buyer.captured') - count(*) filter (where type <> 'buyer.captured'))::int as n,
        min(aggregate_id) as buyer_id,
        sum(case when type = 'buyer.captured' then 1 else -1 end * (data->>'chargedMicros')::bigint) as micros,
        max(recorded_at) as recorded, min(occurred_at) as occurred
      from domain_events
      where type in ('buyer.captured', 'buyer.capture_voided')
        and occurred_at >= ${from}::timestamptz - ${LOOK_BACK}::interval
      group by 1),
    charges as (
      select p.reference as call_id, count(distinct p.id)::int as n,
        min(substr(e.account_id, 7)) filter (where e.account_id like 'buyer:%') as buyer_id,
        sum(e.amount_micros) filter (where e.account_id like 'buyer:%') as micros,
        max(p.recorded_at) as recorded, min(p.occurred_at) as occurred
      from ledger_postings p join ledger_entries e on e.posting_id = p.id
      where p.kind = 'charge' and p.occurred_at >= ${from}::timestamptz - ${LOOK_BACK}::interval
      group by 1)
    select coalesce(c.call_id, g.call_id) as call_id, coalesce(c.n, 0) as captures,
      c.buyer_id as captured_buyer, c.micros::text as captured_micros, coalesce(g.n, 0) as charges,
      g.buyer_id as charged_buyer, g.micros::text as charged_micros,
      greatest(c.recorded, g.recorded) > now() - ${graceMs} * interval '1 millisecond' as recent
    from caps c full join charges g on g.call_id = c.call_id
    where least(c.occurred, g.occurred) >= ${from}::timestamptz and (c.n <> 0 or g.call_id is not null)`)) as unknown as Row[];
  const mismatches: CaptureMismatch[] = [];
  let inFlight = 0;
  for (const r of rows) {
    const v = captureVerdict({
      callId: r.call_id,
      captures: r.captures,
      capturedBuyerId: r.captured_buyer,
      capturedMicros: num(r.captured_micros),
      charges: r.charges,
      chargedBuyerId: r.charged_buyer,
      chargedMicros: num(r.charged_micros),
      recent: r.recent,
    });
    if (v === "in_flight") inFlight++;
    else if (v) mismatches.push(v);
  }
  return { checkedCaptures: rows.length, inFlight, mismatches };
}
