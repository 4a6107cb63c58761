// The dead-letter table (migration 0011): events the writer could not record, kept for replay.
import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const deadLetters = pgTable(
  "dead_letters",
  {
    /** `dlq_` + a hash of the event id (or of the payload, when it has no id): one row per event. */
    id: text("id").primaryKey(),
    eventId: text("event_id"),
    eventType: text("event_type"),
    /** The payload as received, as JSON text (text, not jsonb: a NUL or lone surrogate stays intact). */
    payload: text("payload").notNull(),
    errorClass: text("error_class").notNull(),
    errorMessage: text("error_message").notNull(),
    sqlstate: text("sqlstate"),
    firstFailedAt: timestamp("first_failed_at", { withTimezone: true, mode: "string" })
      .notNull()
      .default(sql`now()`),
    lastFailedAt: timestamp("last_failed_at", { withTimezone: true, mode: "string" })
      .notNull()
      .default(sql`now()`),
    attempts: integer("attempts").notNull().default(1),
    resolvedAt: timestamp("resolved_at", { withTimezone: true, mode: "string" }),
    /**
     * `replayed` (recorded by a replay), `already_recorded` (a redelivery had recorded it) or
     * `discarded` (an admin decided it can never be recorded; the row and its payload stay).
     */
    resolution: text("resolution", { enum: ["replayed", "already_recorded", "discarded"] }),
    /** Why it was discarded (the admin's words). */
    resolutionNote: text("resolution_note"),
  },
  (t) => [
    index("dead_letters_unresolved_idx").on(t.firstFailedAt, t.id).where(sql`${t.resolvedAt} is null`),
    index("dead_letters_failed_idx").on(t.firstFailedAt, t.id),
    index("dead_letters_event_idx").on(t.eventId),
  ],
);

export type DeadLetterRow = typeof deadLetters.$inferSelect;
