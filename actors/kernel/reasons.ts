// Every refusal the exchange can give, listed once with a stable code and a one-line meaning.
// Codes are part of the partner contract: add freely, never rename.
export const REASONS = {
  // seller gate
  seller_unknown: "The seller does not exist.",
  seller_inactive: "The seller is not active.",
  seller_campaign_unknown: "The seller campaign does not exist or belongs to another seller.",
  seller_campaign_paused: "The seller campaign is paused.",
  seller_cap_reached: "A cap on the seller campaign is reached.",
  // caller gate
  invalid_caller_number: "The caller number is not a valid NANP number in E.164 form.",
  anonymous_caller: "The caller number is withheld and the campaign does not accept anonymous calls.",
  // compliance gate (Do-Not-Call, calling hours, consent)
  dnc_suppressed: "The caller number is on a Do-Not-Call or exchange-wide suppression list.",
  buyer_suppressed: "The buyer suppresses this caller number (its internal Do-Not-Call list).",
  outside_calling_hours:
    "The called party's local time is outside the permitted calling hours (outbound or callback traffic).",
  calling_frequency_limit: "The called party's state limits calls on the same subject per 24 hours.",
  consent_missing: "The campaign requires a consent certificate and none valid for this caller was given.",
  consent_expired: "The consent certificate has expired.",
  // fraud screen
  attestation_too_low: "The STIR/SHAKEN attestation is below the seller campaign's minimum.",
  caller_blocked: "The caller number is on the exchange's blocklist.",
  velocity_exceeded: "The caller placed more calls than allowed in 15 minutes, 1 hour or 24 hours.",
  caller_mismatch: "The caller number on the call differs from the number in its ping.",
  // buyer eligibility
  buyer_unknown: "The buyer does not exist.",
  buyer_inactive: "The buyer is not active.",
  campaign_unknown: "The buyer campaign does not exist.",
  campaign_paused: "The buyer campaign is paused.",
  targeting_vertical: "The call's vertical is not one the campaign buys.",
  targeting_state: "The caller's state is not in the campaign's states.",
  targeting_zip: "The caller's ZIP code or area code is not in the campaign's lists.",
  targeting_tags: "The call lacks a tag the campaign requires.",
  closed_hours: "The campaign is outside its hours of operation.",
  cap_concurrency: "The campaign has as many live calls as its concurrency cap allows.",
  cap_hourly: "The campaign's hourly call cap is reached.",
  cap_daily: "The campaign's daily call cap is reached.",
  cap_monthly: "The campaign's monthly call cap is reached.",
  cap_lifetime: "The campaign's lifetime call cap is reached.",
  cap_daily_spend: "The campaign's daily spend cap would be exceeded.",
  insufficient_funds:
    "The buyer's balance plus credit limit, less open reservations, does not cover the price.",
  duplicate_caller: "The buyer received this caller within its duplicate window.",
  already_reserved: "This call already holds a reservation with the buyer.",
  bid_changed:
    "The campaign's bid was lowered after the auction read it: the clearing price is above the bid as it stands now.",
  // auction
  below_reserve: "The bid is below the seller campaign's reserve price.",
  outbid: "Another bid ranked higher.",
  no_eligible_buyers: "No buyer campaign matched the call and could take it.",
  reservation_refused: "The buyer refused the reservation (caps, budget or duplicate at reservation time).",
  rtb_timeout: "The buyer's RTB endpoint did not answer within the deadline.",
  rtb_error: "The buyer's RTB endpoint failed.",
  rtb_malformed: "The buyer's RTB answer could not be read.",
  rtb_no_bid: "The buyer's RTB endpoint declined to bid.",
  bid_expired: "The bid expired before the auction closed.",
  // call lifecycle
  call_unknown: "The call does not exist.",
  illegal_transition: "The event is not allowed in the call's current state.",
  carrier_managed_call:
    "The call came through a carrier's voice webhook: its lifecycle comes from the carrier's signed callbacks, so events from a seller's key are refused (the carrier's measured duration is the one billed).",
  call_archived:
    "The call has finished and its live record has expired: it can no longer take events, and its Idempotency-Key cannot offer a new call (GET still answers from the call history).",
  routing_expired: "The routed call did not connect before its routing instruction expired.",
  max_duration_exceeded:
    "The call passed its maximum duration with no end reported: ended unbilled, later events refused.",
  // conversions (a conversion-billed buyer's postback)
  conversion_not_applicable: "The call's buyer campaign bills on duration: it takes no conversion postback.",
  conversion_key_invalid:
    "The conversion key is not the call's (the routing instruction gave its buyer the key).",
  conversion_already_recorded:
    "The call's conversion was already posted with a different body; a call converts once (the same body again answers the first result).",
  conversion_not_eligible:
    "The call cannot convert: it is still live, or it ended without connecting and qualifying (failed, expired, below its minimum duration).",
  conversion_window_closed:
    "The call's conversion window has closed; its buyer's hold was released unbilled.",
  // resource limits
  limit_exceeded:
    "The request goes over a resource limit; `limit` names it and its maximum (see the limits table).",
  // money
  invalid_amount: "The amount is not a positive integer of micro-units.",
  idempotency_conflict: "The idempotency key was used before with a different request.",
} as const;

export type ReasonCode = keyof typeof REASONS;

export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === "string" && Object.hasOwn(REASONS, value);
}
