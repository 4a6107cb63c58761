// Request bodies for buyer campaigns (targets) and seller campaigns (traffic sources).
import * as v from "valibot";
import { CONVERSION_WINDOW_MAX_SEC, CONVERSION_WINDOW_MIN_SEC } from "../../actors/buyer/conversion.ts";
import {
  DEFAULT_MAX_CALL_DURATION_SEC,
  MAX_CALL_DURATION_MAX_SEC,
  MAX_CALL_DURATION_MIN_SEC,
} from "../../actors/call/holds.ts";
import { RANGES } from "../../actors/kernel/limits.ts";
import { RETENTION_DAYS, WHISPER_MESSAGE_MAX } from "../../actors/kernel/media.ts";
import { payoutProblems } from "../../actors/seller/payout.ts";
import type { Payout as SellerPayout } from "../../actors/seller/seller-api.ts";
import {
  atMost,
  Micros,
  Name,
  NonNegativeInt,
  PositiveInt,
  StateCode,
  Tag,
  TimeZone,
  Vertical,
} from "./common.ts";

// Shape only; the rules that relate fields (a destination, open before close) are the buyer actor's,
// in actors/buyer/campaign-problems.ts, checked on the campaign as it will be saved.
const Open = v.pipe(
  v.string(),
  v.regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, "must be HH:MM between 00:00 and 23:59"),
);
const Close = v.pipe(
  v.string(),
  v.regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/, "must be HH:MM between 00:00 and 24:00"),
);
const Day = v.picklist(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);

// Off by default; either side of a call turning it on records it (actors/kernel/media.ts).
const Recording = v.object({
  enabled: v.boolean(),
  retentionDays: v.optional(
    v.pipe(NonNegativeInt, v.minValue(RETENTION_DAYS.min), v.maxValue(RETENTION_DAYS.max)),
    RETENTION_DAYS.default,
  ),
});

// Said to the buyer's agent before bridging; with requireAcceptance, "press 1" bridges and billing's
// minimum counts from the key press.
const Whisper = v.object({
  message: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(WHISPER_MESSAGE_MAX)),
  requireAcceptance: v.optional(v.boolean(), false),
});

const BuyerCampaignFields = {
  name: Name,
  status: v.optional(v.picklist(["active", "paused"]), "active"),
  vertical: Vertical,
  states: v.optional(v.pipe(v.array(StateCode), atMost("campaign.states")), []),
  zips: v.optional(
    v.pipe(
      v.array(v.pipe(v.string(), v.regex(/^[0-9]{5}$/, "must be a 5-digit ZIP"))),
      atMost("campaign.zips"),
    ),
  ),
  areaCodes: v.optional(
    v.pipe(
      v.array(v.pipe(v.string(), v.regex(/^[2-9][0-9]{2}$/, "must be a 3-digit area code"))),
      atMost("campaign.areaCodes"),
    ),
  ),
  tags: v.optional(v.pipe(v.array(Tag), atMost("campaign.tags"))),
  bidMicros: Micros,
  minDurationSec: NonNegativeInt,
  priority: v.optional(NonNegativeInt, 1),
  weight: v.optional(NonNegativeInt, 1),
  destination: v.object({
    number: v.optional(
      v.pipe(v.string(), v.regex(/^\+1[2-9][0-9]{2}[2-9][0-9]{6}$/, "must be an E.164 NANP number")),
    ),
    sip: v.optional(
      v.pipe(v.string(), atMost("text.sip"), v.regex(/^sips?:[^\s@]+@[^\s]+$/, "must be a sip: URI")),
    ),
  }),
  schedule: v.optional(
    v.object({
      timezone: TimeZone,
      hours: v.pipe(
        v.array(
          v.object({
            days: v.pipe(v.array(Day), v.minLength(1), atMost("campaign.schedule.days")),
            open: Open,
            close: Close,
          }),
        ),
        atMost("campaign.schedule.hours"),
      ),
    }),
  ),
  caps: v.optional(
    v.object({
      concurrency: v.optional(PositiveInt),
      hourly: v.optional(PositiveInt),
      daily: v.optional(PositiveInt),
      monthly: v.optional(PositiveInt),
      lifetime: v.optional(PositiveInt),
      dailySpendMicros: v.optional(v.pipe(Micros, v.minValue(1, "must be a positive integer when set"))),
    }),
    {},
  ),
  duplicateWindowDays: v.optional(v.pipe(NonNegativeInt, v.maxValue(RANGES.duplicateWindowDays.max)), 0),
  requireConsent: v.optional(v.boolean(), false),
  // What bills the call: its duration reaching minDurationSec (the default), or the buyer's conversion
  // postback within conversionWindowSec of the call's end (actors/buyer/conversion.ts).
  billOn: v.optional(v.picklist(["duration", "conversion"])),
  conversionWindowSec: v.optional(
    v.pipe(NonNegativeInt, v.minValue(CONVERSION_WINDOW_MIN_SEC), v.maxValue(CONVERSION_WINDOW_MAX_SEC)),
  ),
  recording: v.optional(Recording),
  whisper: v.optional(Whisper),
  rtb: v.optional(
    v.object({
      url: v.pipe(v.string(), atMost("text.url"), v.url(), v.regex(/^https?:\/\//, "must be http(s)")),
      timeoutMs: v.pipe(
        NonNegativeInt,
        v.minValue(RANGES.rtbTimeoutMs.min),
        v.maxValue(RANGES.rtbTimeoutMs.max),
      ),
    }),
  ),
};

export const CreateBuyerCampaign = v.object(BuyerCampaignFields);
export const PatchBuyerCampaign = v.partial(v.object(BuyerCampaignFields));

// Rules beside the base payout (actors/seller/payout.ts): duration tiers, a per-conversion amount,
// caps. Cross-field rules (tiers ascending, the per-call cap within the daily) are checked here too.
const PayoutRuleFields = {
  tiers: v.optional(
    v.pipe(
      v.array(v.object({ minDurationSec: NonNegativeInt, amountMicros: Micros })),
      v.minLength(1),
      atMost("campaign.payout.tiers"),
    ),
  ),
  perConversionMicros: v.optional(Micros),
  caps: v.optional(
    v.object({
      perCallMicros: v.optional(Micros),
      dailyMicros: v.optional(v.pipe(Micros, v.minValue(1, "must be a positive integer when set"))),
    }),
  ),
};

const Payout = v.pipe(
  v.variant("type", [
    v.object({ type: v.literal("fixed"), amountMicros: Micros, ...PayoutRuleFields }),
    v.object({
      type: v.literal("share"),
      percent: v.pipe(
        v.number(),
        v.minValue(0),
        v.maxValue(100),
        v.check((p) => Math.abs(Math.round(p * 100) - p * 100) < 1e-9, "must have at most two decimals"),
      ),
      ...PayoutRuleFields,
    }),
  ]),
  v.check(
    (p) => payoutProblems(p).length === 0,
    (issue) =>
      payoutProblems(issue.input as SellerPayout)
        .map((p) => `${p.field}: ${p.message}`)
        .join("; "),
  ),
);

/** What a carrier call hears when no buyer takes it (api/telephony/fallback.ts; absent: a message). */
const CarrierFallback = v.variant("action", [
  v.object({ action: v.literal("message"), message: v.pipe(v.string(), v.minLength(1), v.maxLength(500)) }),
  v.object({
    action: v.literal("forward"),
    number: v.pipe(v.string(), v.regex(/^\+[1-9][0-9]{7,14}$/, "must be an E.164 number")),
  }),
  v.object({ action: v.literal("hangup") }),
]);

const SellerCampaignFields = {
  name: Name,
  status: v.optional(v.picklist(["active", "paused"]), "active"),
  vertical: Vertical,
  reserveMicros: v.optional(Micros, 0),
  auction: v.optional(v.picklist(["first", "second"]), "first"),
  payout: Payout,
  maxAuctionMs: v.optional(v.pipe(NonNegativeInt, v.minValue(10), v.maxValue(2000)), 300),
  routingTtlSec: v.optional(v.pipe(NonNegativeInt, v.minValue(5), v.maxValue(3600)), 60),
  // How long a routed call may hold its buyer with no end reported, then it is expired unbilled.
  maxCallDurationSec: v.optional(
    v.pipe(NonNegativeInt, v.minValue(MAX_CALL_DURATION_MIN_SEC), v.maxValue(MAX_CALL_DURATION_MAX_SEC)),
    DEFAULT_MAX_CALL_DURATION_SEC,
  ),
  reroute: v.optional(
    v.object({
      max: v.optional(v.pipe(NonNegativeInt, v.maxValue(5)), 2),
      belowSec: v.optional(v.pipe(NonNegativeInt, v.maxValue(600)), 10),
    }),
    { max: 2, belowSec: 10 },
  ),
  allowAnonymous: v.optional(v.boolean(), false),
  exposeCallerId: v.optional(v.boolean(), false),
  caps: v.optional(v.object({ hourly: v.optional(PositiveInt), daily: v.optional(PositiveInt) }), {}),
  // Carrier calls (api/telephony): what the caller hears with no buyer, and how long a buyer rings.
  carrierFallback: v.optional(CarrierFallback),
  dialTimeoutSec: v.optional(v.pipe(NonNegativeInt, v.minValue(5), v.maxValue(120))),
  trafficType: v.optional(v.picklist(["inbound", "outbound", "callback"]), "inbound"),
  minAttestation: v.optional(v.picklist(["A", "B", "C"])),
  requireConsent: v.optional(v.boolean(), false),
  recording: v.optional(Recording),
  // Days after a charge the buyer may dispute a call of this campaign (absent: DCE_DISPUTE_WINDOW_DAYS,
  // which also bounds it: the API refuses more).
  disputeWindowDays: v.optional(v.pipe(NonNegativeInt, v.maxValue(365))),
  velocity: v.optional(
    v.object({
      per15m: v.optional(PositiveInt),
      per1h: v.optional(PositiveInt),
      per24h: v.optional(PositiveInt),
    }),
  ),
};

export const CreateSellerCampaign = v.object(SellerCampaignFields);
export const PatchSellerCampaign = v.partial(v.object(SellerCampaignFields));
