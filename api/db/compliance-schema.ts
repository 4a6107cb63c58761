// Compliance, fraud and audit tables: DNC list metadata, consent records, fraud decisions and the
// hash-chained audit log. Caller numbers appear only as keyed hashes (never in clear).
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: "string" });

/** One Do-Not-Call list: a national or state file (replaced wholesale by each import) or an internal list. */
export const dncLists = pgTable("dnc_lists", {
  id: text("id").primaryKey(), // slug, e.g. "national", "state-fl"
  name: text("name").notNull(),
  source: text("source", { enum: ["national", "state", "internal"] }).notNull(),
  state: text("state"),
  publishedAt: stamp("published_at"),
  count: bigint("count", { mode: "number" }).notNull(),
  generation: integer("generation").notNull(),
  shardBits: integer("shard_bits").notNull(),
  importedAt: stamp("imported_at").notNull(),
});

export const dncImports = pgTable(
  "dnc_imports",
  {
    id: text("id").primaryKey(),
    listId: text("list_id").notNull(),
    generation: integer("generation").notNull(),
    lines: bigint("lines", { mode: "number" }).notNull(),
    imported: bigint("imported", { mode: "number" }).notNull(),
    invalid: bigint("invalid", { mode: "number" }).notNull(),
    publishedAt: stamp("published_at"),
    durationMs: integer("duration_ms").notNull(),
    warning: text("warning"),
    finishedAt: stamp("finished_at").notNull(),
  },
  (t) => [index("dnc_imports_list_idx").on(t.listId, t.finishedAt)],
);

/** Internal suppression entries (exchange-wide or one buyer's), the book of record behind Redis. */
export const suppressions = pgTable(
  "suppressions",
  {
    callerHash: text("caller_hash").notNull(),
    scope: text("scope").notNull(), // "exchange" or a buyer id
    reason: text("reason"),
    createdAt: stamp("created_at").notNull().default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.callerHash, t.scope] }), index("suppressions_scope_idx").on(t.scope)],
);

/** Consent to be called (TrustedForm, Jornaya, ...): found at offer time by certificate id. */
export const consents = pgTable(
  "consents",
  {
    id: text("id").primaryKey(),
    certificateId: text("certificate_id").notNull(),
    callerHash: text("caller_hash").notNull(),
    sellerId: text("seller_id"),
    source: text("source").notNull(),
    obtainedAt: stamp("obtained_at").notNull(),
    expiresAt: stamp("expires_at").notNull(),
    createdAt: stamp("created_at").notNull().default(sql`now()`),
    erasedAt: stamp("erased_at"),
  },
  (t) => [
    uniqueIndex("consents_certificate_uq").on(t.certificateId),
    index("consents_caller_idx").on(t.callerHash),
  ],
);

/** Fraud screen outcomes: rejections at offer time and flags raised after a call ends. */
export const fraudDecisions = pgTable(
  "fraud_decisions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    callId: text("call_id").notNull(),
    sellerId: text("seller_id").notNull(),
    callerHash: text("caller_hash"),
    kind: text("kind", { enum: ["reject", "flag"] }).notNull(),
    code: text("code").notNull(),
    detail: text("detail").notNull(),
    data: jsonb("data"),
    decidedAt: stamp("decided_at").notNull(),
  },
  (t) => [
    uniqueIndex("fraud_decisions_call_code_uq").on(t.callId, t.code),
    index("fraud_decisions_seller_idx").on(t.sellerId, t.decidedAt),
    index("fraud_decisions_caller_idx").on(t.callerHash),
  ],
);

/**
 * The audit log: one row per state-changing domain event, in hash chains (partitioned by aggregate id
 * so concurrent writers rarely wait on each other). hash = sha256(prev_hash || canonical row).
 * Times are kept as the exact ISO text that was hashed.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    chain: integer("chain").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    aggregateType: text("aggregate_type").notNull(),
    aggregateId: text("aggregate_id").notNull(),
    occurredAt: text("occurred_at").notNull(),
    payloadDigest: text("payload_digest").notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
    recordedAt: stamp("recorded_at").notNull().default(sql`now()`),
  },
  (t) => [
    primaryKey({ columns: [t.chain, t.seq] }),
    uniqueIndex("audit_log_event_uq").on(t.eventId),
    index("audit_log_aggregate_idx").on(t.aggregateId),
  ],
);

/** The head of each audit chain, locked FOR UPDATE by the appender: appends to one chain are serial. */
export const auditHeads = pgTable("audit_heads", {
  chain: integer("chain").primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  hash: text("hash").notNull(),
});

export type AuditRow = typeof auditLog.$inferSelect;

/**
 * Which caller each offered call came from, written by the API before the offer reaches the call actor
 * (so no event needs to carry the keyed hash); "erased" after the subject's erasure. The calls read
 * model copies it when it records call.offered.
 */
export const callSubjects = pgTable(
  "call_subjects",
  {
    callId: text("call_id").primaryKey(),
    callerHash: text("caller_hash").notNull(),
    recordedAt: stamp("recorded_at").notNull(),
  },
  (t) => [index("call_subjects_caller_hash_idx").on(t.callerHash)],
);
