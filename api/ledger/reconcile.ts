// Reconciliation: each buyer actor's balance must equal the buyer's ledger balance. Any difference
// is drift to investigate (a charge captured by the actor but not yet posted is transient drift).

import { and, eq, gte } from "drizzle-orm";
import type { BuyerBalance } from "../../actors/buyer/buyer-api.ts";
import type { Result } from "../../actors/kernel/result.ts";
import type { Db } from "../db/client.ts";
import { accounts } from "../db/schema.ts";
import { accountSums } from "./ledger.ts";
import { buyerAccount } from "./postings.ts";

export interface Drift {
  buyerId: string;
  ledgerBalanceMicros: number;
  actorBalanceMicros: number | null;
  driftMicros: number | null;
  reservedMicros: number | null;
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
  const drift: Drift[] = [];
  for (let i = 0; i < buyers.length; i += concurrency) {
    const batch = buyers.slice(i, i + concurrency);
    await Promise.all(
      batch.map(async (buyerId) => {
        const ledgerBalanceMicros = -(sums.get(buyerAccount(buyerId)) ?? 0);
        const actor = await actorBalance(buyerId).catch(() => undefined);
        const a = actor?.ok ? actor.value : undefined;
        if (a && a.balanceMicros === ledgerBalanceMicros) return;
        drift.push({
          buyerId,
          ledgerBalanceMicros,
          actorBalanceMicros: a?.balanceMicros ?? null,
          driftMicros: a ? a.balanceMicros - ledgerBalanceMicros : null,
          reservedMicros: a?.reservedMicros ?? null,
        });
      }),
    );
  }
  return { checkedBuyers: buyers.length, drift };
}
