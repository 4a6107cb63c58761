// Ledger I/O: posting once per (kind, reference) inside the caller's transaction, balances, history.
import { and, asc, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { ledgerAccounts, ledgerEntries, ledgerPostings } from "../db/ledger-schema.ts";
import type { Entry, PostingDraft } from "./postings.ts";

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
type Q = Db | Tx;

type AccountKind = (typeof ledgerAccounts.$inferInsert)["kind"];
const OWNED: readonly string[] = ["buyer", "seller", "seller_pending", "seller_receivable"];

function accountKind(id: string): AccountKind {
  if (id === "cash" || id === "revenue") return id;
  const kind = id.split(":")[0]!;
  if (OWNED.includes(kind)) return kind as AccountKind;
  throw new RangeError(`unknown ledger account ${id}`);
}

/** Writes a posting unless one with the same kind and reference exists. Returns whether it wrote. */
export async function postOnce(tx: Tx, d: PostingDraft): Promise<boolean> {
  const accounts = [...new Set(d.entries.map((e) => e.accountId))].map((id) => ({
    id,
    kind: accountKind(id),
    ownerId: id.includes(":") ? id.split(":")[1]! : null,
  }));
  await tx.insert(ledgerAccounts).values(accounts).onConflictDoNothing();
  const inserted = await tx
    .insert(ledgerPostings)
    .values({
      id: d.id,
      kind: d.kind,
      reference: d.reference,
      memo: d.memo,
      occurredAt: d.occurredAt,
      eventId: d.eventId,
    })
    .onConflictDoNothing()
    .returning({ id: ledgerPostings.id });
  if (inserted.length === 0) return false;
  await tx.insert(ledgerEntries).values(d.entries.map((e) => ({ postingId: d.id, ...e })));
  return true;
}

/** Signed sums per account (see the sign convention in ledger-schema.ts). */
export async function accountSums(q: Q, accountIds: string[]): Promise<Map<string, number>> {
  if (accountIds.length === 0) return new Map();
  const rows = await q
    .select({
      accountId: ledgerEntries.accountId,
      sum: sql<string>`coalesce(sum(${ledgerEntries.amountMicros}), 0)`,
    })
    .from(ledgerEntries)
    .where(inArray(ledgerEntries.accountId, accountIds))
    .groupBy(ledgerEntries.accountId);
  const sums = new Map(accountIds.map((id) => [id, 0]));
  for (const r of rows) sums.set(r.accountId, Number(r.sum));
  return sums;
}

export async function postingEntries(
  q: Q,
  kind: PostingDraft["kind"],
  reference: string,
): Promise<Entry[] | undefined> {
  const [posting] = await q
    .select({ id: ledgerPostings.id })
    .from(ledgerPostings)
    .where(and(eq(ledgerPostings.kind, kind), eq(ledgerPostings.reference, reference)));
  if (!posting) return undefined;
  return q
    .select({ accountId: ledgerEntries.accountId, amountMicros: ledgerEntries.amountMicros })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.postingId, posting.id))
    .orderBy(asc(ledgerEntries.id));
}

/** An account's entries newest first, each with its posting, keyset-paginated by entry id. */
export async function accountHistory(q: Q, accountId: string, limit: number, beforeEntryId?: number) {
  return q
    .select({
      entryId: ledgerEntries.id,
      amountMicros: ledgerEntries.amountMicros,
      postingId: ledgerPostings.id,
      kind: ledgerPostings.kind,
      reference: ledgerPostings.reference,
      memo: ledgerPostings.memo,
      occurredAt: ledgerPostings.occurredAt,
    })
    .from(ledgerEntries)
    .innerJoin(ledgerPostings, eq(ledgerEntries.postingId, ledgerPostings.id))
    .where(
      beforeEntryId === undefined
        ? eq(ledgerEntries.accountId, accountId)
        : and(eq(ledgerEntries.accountId, accountId), lt(ledgerEntries.id, beforeEntryId)),
    )
    .orderBy(desc(ledgerEntries.id))
    .limit(limit);
}

/** Trial balance: every entry ever written sums to zero, and no posting is out of balance. */
export async function trialBalance(q: Q): Promise<{ totalMicros: number; unbalancedPostings: number }> {
  const [total] = await q
    .select({ sum: sql<string>`coalesce(sum(${ledgerEntries.amountMicros}), 0)` })
    .from(ledgerEntries);
  const unbalanced = await q.execute(
    sql`select count(*)::int as n from (select posting_id from ledger_entries group by posting_id having sum(amount_micros) <> 0) u`,
  );
  return {
    totalMicros: Number(total?.sum ?? 0),
    unbalancedPostings: Number((unbalanced as unknown as { n: number }[])[0]?.n ?? 0),
  };
}
