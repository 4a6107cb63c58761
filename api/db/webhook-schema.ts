// Partner webhooks: endpoints registered per account and event type, one delivery per (endpoint,
// event) enqueued in the same transaction that records the event, and every HTTP attempt logged.
import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    /** Whose events it receives: a buyer, a seller, or (null) the exchange itself, for admins. */
    accountId: text("account_id"),
    /** `webhook`, or `pixel`: a campaign's templated URL (api/pixels/), fired only for its campaign's calls. */
    kind: text("kind", { enum: ["webhook", "pixel"] })
      .notNull()
      .default("webhook"),
    /** A pixel's campaign (the owner's buyer or seller campaign); null for webhooks. */
    campaignId: text("campaign_id"),
    /** POST (webhooks, and pixels that ask for it) sends the signed body; GET sends none. */
    method: text("method", { enum: ["GET", "POST"] })
      .notNull()
      .default("POST"),
    /** A webhook's URL, or a pixel's URL template (tokens rendered per delivery). */
    url: text("url").notNull(),
    eventTypes: text("event_types").array().notNull(),
    description: text("description").notNull().default(""),
    active: boolean("active").notNull().default(true),
    /** Since when it has been active: events that occurred before (or while it was paused) are not sent. */
    activeSince: timestamp("active_since", { withTimezone: true, mode: "string" })
      .notNull()
      .default(sql`now()`),
    /** The signing secret, AES-256-GCM encrypted at rest (see api/webhooks/secrets.ts). */
    secretCiphertext: text("secret_ciphertext").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().default(sql`now()`),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "string" }).notNull().default(sql`now()`),
    // The breaker (api/webhooks/rules.ts, migration 0020): failed attempts in a row, since when, the
    // last failure; suspended (not null) while it holds the endpoint's deliveries, probing it one at a
    // time at `next_probe_at`.
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    failingSince: timestamp("failing_since", { withTimezone: true, mode: "string" }),
    lastFailureAt: timestamp("last_failure_at", { withTimezone: true, mode: "string" }),
    lastFailureStatusCode: integer("last_failure_status_code"),
    lastFailureError: text("last_failure_error"),
    suspendedAt: timestamp("suspended_at", { withTimezone: true, mode: "string" }),
    failedProbes: integer("failed_probes").notNull().default(0),
    nextProbeAt: timestamp("next_probe_at", { withTimezone: true, mode: "string" }),
  },
  (t) => [
    index("webhook_endpoints_account_idx").on(t.accountId),
    // The claim's and the operator's look-up of suspended endpoints (few, however many endpoints).
    index("webhook_endpoints_suspended_idx").on(t.nextProbeAt).where(sql`suspended_at is not null`),
    index("webhook_endpoints_campaign_idx").on(t.campaignId).where(sql`campaign_id is not null`),
  ],
);

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    /** Insertion order, for keyset pagination of the delivery log. */
    seq: bigserial("seq", { mode: "number" }).notNull(),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    /** The exact JSON body sent on every attempt (the signature covers it); a GET pixel's event payload. */
    body: text("body").notNull(),
    /** A pixel's rendered URL (its template with this event's tokens); null: the endpoint's URL. */
    url: text("url"),
    status: text("status", { enum: ["pending", "delivered", "failed"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** When the next attempt is due; while an attempt runs, the lease after which another worker may retry. */
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "string" })
      .notNull()
      .default(sql`now()`),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().default(sql`now()`),
    deliveredAt: timestamp("delivered_at", { withTimezone: true, mode: "string" }),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_endpoint_event_uq").on(t.endpointId, t.eventId),
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.seq),
    // The claim's per-endpoint walk in due order (migration 0019; it replaced a time-only index).
    index("webhook_deliveries_endpoint_due_idx")
      .on(t.endpointId, t.nextAttemptAt)
      .where(sql`status = 'pending'`),
  ],
);

export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "string" }).notNull().default(sql`now()`),
    statusCode: integer("status_code"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
    /** The first bytes of the receiver's answer, for the partner's debugging. */
    responseExcerpt: text("response_excerpt"),
  },
  (t) => [uniqueIndex("webhook_attempts_delivery_attempt_uq").on(t.deliveryId, t.attempt)],
);
