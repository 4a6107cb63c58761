// Postgres tables of the exchange (drizzle). Domain events land here from pub/sub; API keys are
// stored as SHA-256 hashes and found by their public prefix.
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

export const domainEvents = pgTable(
  "domain_events",
  {
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    aggregateType: text("aggregate_type").notNull(),
    aggregateId: text("aggregate_id").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true, mode: "string" }).notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "string" })
      .notNull()
      .default(sql`now()`),
    data: jsonb("data").notNull(),
  },
  (t) => [
    uniqueIndex("domain_events_event_id_uq").on(t.eventId),
    index("domain_events_aggregate_idx").on(t.aggregateType, t.aggregateId),
    index("domain_events_type_idx").on(t.type, t.occurredAt),
  ],
);

export type DomainEventRow = typeof domainEvents.$inferSelect;

export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    prefix: text("prefix").notNull(),
    hash: text("hash").notNull(),
    accountId: text("account_id"),
    role: text("role", { enum: ["admin", "buyer", "seller"] }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().default(sql`now()`),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "string" }),
    /** After this instant the key no longer authenticates (set by rotation, or at creation). */
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "string" }),
    /** Refreshed when an API process resolves the key afresh (not on every request). */
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, mode: "string" }),
  },
  (t) => [uniqueIndex("api_keys_prefix_uq").on(t.prefix), index("api_keys_account_idx").on(t.accountId)],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export const accounts = pgTable(
  "accounts",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["buyer", "seller"] }).notNull(),
    name: text("name").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().default(sql`now()`),
  },
  (t) => [index("accounts_kind_idx").on(t.kind, t.createdAt)],
);

/** Read model of calls, projected from call events' snapshots (highest revision wins). No PII. */
export const calls = pgTable(
  "calls",
  {
    callId: text("call_id").primaryKey(),
    revision: integer("revision").notNull(),
    status: text("status").notNull(),
    sellerId: text("seller_id").notNull(),
    sellerCampaignId: text("seller_campaign_id").notNull(),
    buyerId: text("buyer_id"),
    buyerCampaignId: text("buyer_campaign_id"),
    vertical: text("vertical"),
    callerState: text("caller_state"),
    priceMicros: bigint("price_micros", { mode: "number" }),
    billable: boolean("billable"),
    chargedMicros: bigint("charged_micros", { mode: "number" }),
    payoutMicros: bigint("payout_micros", { mode: "number" }),
    durationSec: integer("duration_sec"),
    reasonCode: text("reason_code"),
    /** Keyed hash of the caller (from call.offered), for data-subject requests; "erased" after erasure. */
    callerHash: text("caller_hash"),
    attempts: integer("attempts").notNull(),
    offeredAt: timestamp("offered_at", { withTimezone: true, mode: "string" }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true, mode: "string" }),
    /** A conversion-billed call's conversion: awaiting, converted, not_converted; null on duration billing. */
    conversionStatus: text("conversion_status"),
  },
  (t) => [
    index("calls_seller_offered_idx").on(t.sellerId, t.offeredAt),
    index("calls_buyer_offered_idx").on(t.buyerId, t.offeredAt),
    index("calls_offered_idx").on(t.offeredAt),
    index("calls_caller_hash_idx").on(t.callerHash),
  ],
);

export type CallRow = typeof calls.$inferSelect;
