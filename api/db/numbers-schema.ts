// Tracking numbers (migration 0013): one row per assignment of a DID to a seller campaign.
import { sql } from "drizzle-orm";
import { bigserial, index, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export const trackingNumbers = pgTable(
  "tracking_numbers",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** E.164, e.g. `+12125551234`. Unique among the active rows only: a released number may return. */
    number: text("number").notNull(),
    sellerId: text("seller_id").notNull(),
    sellerCampaignId: text("seller_campaign_id").notNull(),
    /** Merged into the offer's tags when a call arrives on the number. */
    tags: jsonb("tags").$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    status: text("status", { enum: ["active", "released"] })
      .notNull()
      .default("active"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().default(sql`now()`),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "string" }).notNull().default(sql`now()`),
    releasedAt: timestamp("released_at", { withTimezone: true, mode: "string" }),
  },
  (t) => [
    uniqueIndex("tracking_numbers_active_uq").on(t.number).where(sql`${t.status} = 'active'`),
    index("tracking_numbers_seller_idx").on(t.sellerId, t.id),
    index("tracking_numbers_campaign_idx").on(t.sellerCampaignId),
    index("tracking_numbers_number_idx").on(t.number, t.id),
  ],
);

export type TrackingNumberRow = typeof trackingNumbers.$inferSelect;
