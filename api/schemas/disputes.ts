// Request bodies and queries of disputes (api/disputes).
import * as v from "valibot";
import { DISPUTE_REASONS } from "../disputes/rules.ts";
import { atMost, Micros } from "./common.ts";

export const OpenDispute = v.object({
  reason: v.picklist(DISPUTE_REASONS),
  detail: v.optional(v.pipe(v.string(), v.trim(), atMost("text.description"))),
  evidence: v.optional(v.pipe(v.string(), atMost("text.evidence"))),
});

export const DisputeDecision = v.object({
  decision: v.picklist(["accept", "partial", "reject"]),
  /** With `partial`: what the buyer gets back, more than 0 and at most what is left of the charge. */
  refundMicros: v.optional(Micros),
  note: v.pipe(v.string(), v.trim(), v.minLength(1), atMost("text.reason")),
});

export const DisputesQuery = v.object({
  status: v.optional(v.picklist(["open", "accepted", "partially_accepted", "rejected"])),
  limit: v.optional(
    v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(200)),
    "50",
  ),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^[0-9]{1,18}$/, "must be a cursor this API issued"))),
});
