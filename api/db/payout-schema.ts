// Payout holds (migration 0015): each billable call's seller payout is pending until its hold ends,
// then a release posting moves it to the seller's payable; sellers' hold periods are set by admins.
import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const payoutHolds = pgTable(
  "payout_holds",
  {
    /** One hold per charged call, written with its charge. */
    callId: text("call_id").primaryKey(),
    sellerId: text("seller_id").notNull(),
    payoutMicros: bigint("payout_micros", { mode: "number" }).notNull(),
    /** The charge's time plus the seller's hold period when the call was charged. */
    availableAt: timestamp("available_at", { withTimezone: true, mode: "string" }).notNull(),
    /** When the release ran (null while pending); a refunded call is released with nothing left. */
    releasedAt: timestamp("released_at", { withTimezone: true, mode: "string" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().default(sql`now()`),
  },
  (t) => [index("payout_holds_seller_idx").on(t.sellerId, t.availableAt)],
);

/** A seller's hold period when an admin set one (else the default, 7 days). */
export const sellerPayoutTerms = pgTable("seller_payout_terms", {
  sellerId: text("seller_id").primaryKey(),
  holdSec: integer("hold_sec").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "string" }).notNull().default(sql`now()`),
});
