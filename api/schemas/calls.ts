// Request bodies for call offers and lifecycle events.
import * as v from "valibot";
import { atMost, Micros, NonNegativeInt, StateCode, Tag, Vertical } from "./common.ts";

export const OfferCall = v.object({
  sellerCampaignId: v.pipe(v.string(), v.regex(/^scp_[0-9a-f]{28}$/, "must be a seller campaign id")),
  callerNumber: v.pipe(v.string(), atMost("text.phone")),
  callerState: v.optional(StateCode),
  callerZip: v.optional(v.pipe(v.string(), v.regex(/^[0-9]{5}$/, "must be a 5-digit ZIP"))),
  vertical: v.optional(Vertical),
  tags: v.optional(v.pipe(v.array(Tag), atMost("offer.tags")), []),
  attestation: v.optional(v.picklist(["A", "B", "C"])),
  consentCertificate: v.optional(v.pipe(v.string(), atMost("text.consentCertificate"))),
  /** The caller number the seller's earlier ping carried; a different number on the call is rejected. */
  pingCallerNumber: v.optional(v.pipe(v.string(), atMost("text.phone"))),
});

export const CallEvent = v.object({
  type: v.picklist(["ringing", "connected", "completed", "failed"]),
  durationSec: v.optional(v.pipe(NonNegativeInt, v.maxValue(86_400))),
  reason: v.optional(v.pipe(v.string(), atMost("text.reason"))),
  hangupBy: v.optional(v.picklist(["caller", "buyer", "system"])),
});

/** A conversion-billed call's postback by its buyer (docs/api.md, "Conversions"). */
export const PostConversion = v.object({
  key: v.pipe(v.string(), v.minLength(1), atMost("text.id")),
  revenueMicros: v.optional(Micros),
  disposition: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), atMost("text.reason"))),
});
