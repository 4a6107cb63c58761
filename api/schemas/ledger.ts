// Request bodies and queries for ledger operations.
import * as v from "valibot";
import { atMost, IsoTime } from "./common.ts";

export const Refund = v.object({
  reason: v.pipe(v.string(), v.trim(), v.minLength(1), atMost("text.reason")),
});

export const Payout = v.object({
  sellerIds: v.optional(
    v.pipe(
      v.array(v.pipe(v.string(), v.regex(/^sel_[0-9a-f]{28}$/))),
      v.minLength(1),
      atMost("payout.sellerIds"),
    ),
  ),
});

export const PostingsQuery = v.object({
  accountId: v.pipe(
    v.string(),
    v.regex(/^(byr|sel)_[0-9a-f]{28}$|^(cash|revenue)$/, "must be a buyer, seller, cash or revenue"),
  ),
  limit: v.optional(
    v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(500)),
    "100",
  ),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^[0-9]{1,18}$/, "must be a cursor this API issued"))),
});

export const StatementQuery = v.object({
  month: v.pipe(v.string(), v.regex(/^[0-9]{4}-(0[1-9]|1[0-2])$/, "must be YYYY-MM")),
  format: v.optional(v.picklist(["json", "csv"]), "json"),
});

export const ReconcileQuery = v.object({
  since: v.optional(IsoTime),
  /** A capture or charge recorded this recently whose other half is not yet is in flight, not missing. */
  graceSec: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[0-9]{1,5}$/, "must be whole seconds"),
      v.transform(Number),
      v.maxValue(86_400),
    ),
    "0",
  ),
});

/** POST /v1/admin/reconciliation/repair: what to repair (npm run repair; docs/ops/rediscrash.md). */
export const RepairRequest = v.object({
  since: v.optional(IsoTime),
  /** Drift must be seen twice, this many seconds apart, before it is repaired (in-flight work moves). */
  settleSec: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(120)), 5),
  /** A capture or charge recorded this recently whose other half is not yet is in flight, not drift. */
  graceSec: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(3_600)), 30),
  dryRun: v.optional(v.boolean(), false),
});

/** A seller's payout hold: days (fractions allowed, kept to the second), at most a year. */
export const PayoutHold = v.object({
  payoutHoldDays: v.pipe(v.number(), v.minValue(0), v.maxValue(365)),
});
