// Reconciliation: each buyer actor's balance must equal the buyer's ledger balance, and its open
// reservations the prices of its calls still open (routed, ringing, connected, or awaiting a
// conversion), so its spendable
// figure (balance + credit limit − reservations) is the ledger's. Any difference is drift to
// investigate (a charge captured by the actor but not yet posted is transient drift).

import { and, eq, gte, inArray, or, sql } from "drizzle-orm";
import type { BuyerBalance } from "../../actors/buyer/buyer-api.ts";
import { HOLDING_STATUSES } from "../../actors/call/holds.ts";
import type { Result } from "../../actors/kernel/result.ts";
import type { Db } from "../db/client.ts";
import { accounts, calls } from "../db/schema.ts";
import { accountSums } from "./ledger.ts";
import { buyerAccount } from "./postings.ts";

export interface Drift {
  buyerId: string;
  ledgerBalanceMicros: number;
  actorBalanceMicros: number | null;
  driftMicros: number | null;
  reservedMicros: number | null;
  /** What the buyer's open calls hold: the prices of its calls routed, ringing or connected. */
  openCallsMicros: number;
}

/**
 * Calls that hold their buyer's reservation, in the calls read model: routed, ringing, connected, or
 * completed on a conversion-billed campaign and awaiting the conversion. Reconcile counts them and
 * repair keeps their holds: both read this one predicate, so they cannot disagree.
 */
export const holdingCall = () =>
  or(inArray(calls.status, [...HOLDING_STATUSES]), eq(calls.conversionStatus, "awaiting"));

/**
 * The prices of each buyer's calls still open, from the calls read model: routed, ringing, connected,
 * or completed on a conversion-billed campaign and awaiting the conversion (the hold stays until the
 * window closes: not drift, and no charge is due yet).
 */
async function openHolds(db: Db, buyerIds: string[]): Promise<Map<string, number>> {
  const held = new Map<string, number>();
  if (buyerIds.length === 0) return held;
  const rows = await db
    .select({ buyerId: calls.buyerId, sum: sql<string>`coalesce(sum(${calls.priceMicros}), 0)` })
    .from(calls)
    .where(and(inArray(calls.buyerId, buyerIds), holdingCall()))
    .groupBy(calls.buyerId);
  for (const r of rows) if (r.buyerId) held.set(r.buyerId, Number(r.sum));
  return held;
}

export async function reconcile(
  db: Db,
  actorBalance: (buyerId: string) => Promise<Result<BuyerBalance>>,
  opts: { since?: string; concurrency?: number } = {},
): Promise<{ checkedBuyers: number; drift: Drift[] }> {
  const concurrency = opts.concurrency ?? 8;
  const where = opts.since
    ? and(eq(accounts.kind, "buyer"), gte(accounts.createdAt, opts.since))
    : eq(accounts.kind, "buyer");
  const buyers = (await db.select({ id: accounts.id }).from(accounts).where(where)).map((r) => r.id);
  const sums = await accountSums(db, buyers.map(buyerAccount));
  const held = await openHolds(db, buyers);
  const drift: Drift[] = [];
  for (let i = 0; i < buyers.length; i += concurrency) {
    const batch = buyers.slice(i, i + concurrency);
    await Promise.all(
      batch.map(async (buyerId) => {
        const ledgerBalanceMicros = -(sums.get(buyerAccount(buyerId)) ?? 0);
        const openCallsMicros = held.get(buyerId) ?? 0;
        const actor = await actorBalance(buyerId).catch(() => undefined);
        const a = actor?.ok ? actor.value : undefined;
        if (a && a.balanceMicros === ledgerBalanceMicros && a.reservedMicros === openCallsMicros) return;
        drift.push({
          buyerId,
          ledgerBalanceMicros,
          actorBalanceMicros: a?.balanceMicros ?? null,
          driftMicros: a ? a.balanceMicros - ledgerBalanceMicros : null,
          reservedMicros: a?.reservedMicros ?? null,
          openCallsMicros,
        });
      }),
    );
  }
  return { checkedBuyers: buyers.length, drift };
}
