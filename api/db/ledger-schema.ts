// The double-entry ledger, the book of record for money. Every posting's entries sum to zero
// (enforced at commit by a constraint trigger, see migrations); amounts are signed micro-units.
// Sign convention: entries are debits (+) and credits (−) from the exchange's books: cash is an
// asset (+ = money held); buyer balances, seller payables and revenue are credit-normal (− = owed);
// a seller receivable is an asset (+ = the seller owes the exchange).
import { sql } from "drizzle-orm";
import { bigint, bigserial, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export const ledgerAccounts = pgTable("ledger_accounts", {
  // "cash", "revenue", "buyer:<id>", "seller:<id>" (payable), "seller_pending:<id>" (earned, on hold),
  // "seller_receivable:<id>" (an asset: what a seller owes back after a refund of a call paid out).
  id: text("id").primaryKey(),
  kind: text("kind", {
    enum: ["cash", "revenue", "buyer", "seller", "seller_pending", "seller_receivable"],
  }).notNull(),
  ownerId: text("owner_id"),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().default(sql`now()`),
});

export const ledgerPostings = pgTable(
  "ledger_postings",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["deposit", "charge", "refund", "payout", "release"] }).notNull(),
    /** What the posting is for (deposit id, call id, payout id); unique per kind: money moves once. */
    reference: text("reference").notNull(),
    memo: text("memo"),
    eventId: text("event_id"),
    occurredAt: timestamp("occurred_at", { withTimezone: true, mode: "string" }).notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "string" })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [
    uniqueIndex("ledger_postings_kind_reference_uq").on(t.kind, t.reference),
    index("ledger_postings_occurred_idx").on(t.occurredAt),
  ],
);

export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    postingId: text("posting_id")
      .notNull()
      .references(() => ledgerPostings.id),
    accountId: text("account_id")
      .notNull()
      .references(() => ledgerAccounts.id),
    amountMicros: bigint("amount_micros", { mode: "number" }).notNull(),
  },
  (t) => [
    index("ledger_entries_account_idx").on(t.accountId, t.id),
    index("ledger_entries_posting_idx").on(t.postingId),
  ],
);

export type LedgerPosting = typeof ledgerPostings.$inferSelect;
export type LedgerEntry = typeof ledgerEntries.$inferSelect;
