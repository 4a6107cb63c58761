// Request bodies and queries for compliance (DNC, blocklist, consent), audit and fraud decisions.
import * as v from "valibot";
import { atMost, StateCode } from "./common.ts";

const Phone = v.pipe(v.string(), atMost("text.phone"));
const IsoTime = v.pipe(v.string(), v.isoTimestamp("must be an ISO 8601 timestamp"));
const Limit = v.optional(v.pipe(v.string(), v.regex(/^[0-9]{1,4}$/, "must be 1-1000")), "100");

export const SuppressionEntries = v.object({
  numbers: v.pipe(v.array(Phone), v.minLength(1), atMost("numbers.batch")),
  /** "exchange" (admin only) or the buyer id whose own list this is; buyers default to themselves. */
  scope: v.optional(
    v.union([v.literal("exchange"), v.pipe(v.string(), v.regex(/^byr_[0-9a-f]{28}$/, "must be a buyer id"))]),
  ),
  action: v.optional(v.picklist(["add", "remove"]), "add"),
  reason: v.optional(v.pipe(v.string(), atMost("text.reason"))),
});

export const BlocklistEntries = v.object({
  numbers: v.pipe(v.array(Phone), v.minLength(1), atMost("numbers.batch")),
  action: v.optional(v.picklist(["add", "remove"]), "add"),
});

export const DncImportQuery = v.object({
  listId: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "must be a lower-case slug")),
  name: v.optional(v.pipe(v.string(), atMost("text.name"))),
  source: v.optional(v.picklist(["national", "state", "internal"]), "national"),
  state: v.optional(StateCode),
  publishedAt: v.optional(
    v.pipe(v.string(), atMost("text.date"), v.regex(/^\d{4}-\d{2}-\d{2}/, "must be a date")),
  ),
});

export const DncImportsQuery = v.object({
  listId: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "must be a lower-case slug"))),
  limit: v.optional(
    v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(100)),
    "20",
  ),
});

const DncImportRow = v.looseObject({
  id: v.string(),
  listId: v.string(),
  generation: v.number(),
  lines: v.pipe(v.number(), v.description("Lines read from the file")),
  imported: v.pipe(v.number(), v.description("Distinct numbers added to the list")),
  invalid: v.pipe(v.number(), v.description("Lines refused: not a US number")),
  publishedAt: v.nullable(v.string()),
  durationMs: v.number(),
  warning: v.nullable(v.string()),
  finishedAt: v.string(),
});
export const DncImportPage = v.looseObject({ items: v.array(DncImportRow) });

/** A data-subject request: the number travels in the body, never in a path that access logs keep. */
export const DataSubject = v.object({ phoneNumber: Phone });

export const CreateConsent = v.object({
  certificateId: v.pipe(v.string(), v.minLength(4), atMost("text.consentCertificate")),
  callerNumber: Phone,
  sellerId: v.optional(v.pipe(v.string(), v.regex(/^sel_[0-9a-f]{28}$/, "must be a seller id"))),
  source: v.optional(v.pipe(v.string(), atMost("text.source")), "trustedform"),
  obtainedAt: IsoTime,
  expiresAt: IsoTime,
});

export const AuditQuery = v.object({
  aggregateId: v.optional(v.pipe(v.string(), atMost("text.id"))),
  eventId: v.optional(v.pipe(v.string(), atMost("text.id"))),
  limit: Limit,
});

export const FraudQuery = v.object({
  callId: v.optional(v.pipe(v.string(), atMost("text.id"))),
  sellerId: v.optional(v.pipe(v.string(), atMost("text.id"))),
  kind: v.optional(v.picklist(["reject", "flag"])),
  limit: Limit,
});
