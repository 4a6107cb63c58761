// Buyer disputes of billed calls (migration 0017): one row per dispute, its timeline inline; at most
// one open dispute per call (a partial unique index). Refunds they decide are ledger postings.
import { bigint, bigserial, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export type DisputeStatus = "open" | "accepted" | "partially_accepted" | "rejected";
export interface TimelineStep {
  at: string;
  status: DisputeStatus;
  by: "buyer" | "admin" | "exchange";
  note?: string;
}

export const disputes = pgTable("disputes", {
  id: text("id").primaryKey(),
  /** Insertion order: the list cursor. */
  seq: bigserial("seq", { mode: "number" }).notNull(),
  callId: text("call_id").notNull(),
  buyerId: text("buyer_id").notNull(),
  sellerId: text("seller_id").notNull(),
  reason: text("reason").notNull(),
  detail: text("detail"),
  evidence: text("evidence"),
  status: text("status").$type<DisputeStatus>().notNull(),
  refundMicros: bigint("refund_micros", { mode: "number" }).notNull().default(0),
  sellerClawbackMicros: bigint("seller_clawback_micros", { mode: "number" }).notNull().default(0),
  marginClawbackMicros: bigint("margin_clawback_micros", { mode: "number" }).notNull().default(0),
  timeline: jsonb("timeline").$type<TimelineStep[]>().notNull(),
  openedAt: timestamp("opened_at", { withTimezone: true, mode: "string" }).notNull(),
  decidedAt: timestamp("decided_at", { withTimezone: true, mode: "string" }),
});

export type DisputeRow = typeof disputes.$inferSelect;
