// The call recordings table (migration 0014): one row per call and carrier recording sid.
import { sql } from "drizzle-orm";
import { index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

export const callRecordings = pgTable(
  "call_recordings",
  {
    callId: text("call_id").notNull(),
    recordingSid: text("recording_sid").notNull(),
    provider: text("provider", { enum: ["twilio", "telnyx"] }).notNull(),
    /** The call's parties when the recording was reported: only they (and admins) may fetch it. */
    sellerId: text("seller_id").notNull(),
    buyerId: text("buyer_id"),
    /** The carrier's media URL; forgotten (null) once the retention deleted the recording. */
    url: text("url"),
    /** SHA-256 (hex) of the media as fetched; null while the fetch is pending. */
    sha256: text("sha256"),
    /** `pending` (hash not fetched yet: the sweep retries), `stored`, `deleted` (retention passed). */
    status: text("status", { enum: ["pending", "stored", "deleted"] }).notNull(),
    durationSec: integer("duration_sec").notNull(),
    channels: integer("channels").notNull(),
    fetchAttempts: integer("fetch_attempts").notNull().default(0),
    lastError: text("last_error"),
    nextFetchAt: timestamp("next_fetch_at", { withTimezone: true, mode: "string" }),
    retentionUntil: timestamp("retention_until", { withTimezone: true, mode: "string" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().default(sql`now()`),
    deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "string" }),
  },
  (t) => [
    primaryKey({ name: "call_recordings_pk", columns: [t.callId, t.recordingSid] }),
    index("call_recordings_retention_idx").on(t.retentionUntil).where(sql`${t.deletedAt} is null`),
    index("call_recordings_pending_idx").on(t.nextFetchAt).where(sql`${t.status} = 'pending'`),
  ],
);

export type CallRecordingRow = typeof callRecordings.$inferSelect;
