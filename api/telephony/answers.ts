// What the exchange answers a carrier: the Dial to the routed buyer (with the disclosure when due), the
// seller campaign's fallback when no buyer takes the call, and the callback URLs under DCE_PUBLIC_URL.
import type { Destination } from "../../actors/buyer/buyer-api.ts";
import type { CallDecision } from "../../actors/call/call-api.ts";
import { DEFAULT_MAX_CALL_DURATION_SEC } from "../../actors/call/holds.ts";
import type { SellerCampaignEntry } from "../../actors/seller/campaign-index.ts";
import type { CarrierFallback } from "../../actors/seller/seller-api.ts";
import type { Provider } from "./carrier-params.ts";
import { type DialOptions, type Step, twiml } from "./twiml.ts";

export const DEFAULT_FALLBACK_MESSAGE =
  "Sorry, no one is available to take your call right now. Please try again later. Goodbye.";
export const DISCLOSURE = "This call may be recorded for quality and training purposes.";

/** `DCE_PUBLIC_URL/v1/telephony/<provider>/calls/<callId>/<what>?bid=<bidId>`: the carrier calls it back. */
export function callbackUrl(
  publicUrl: string,
  provider: Provider,
  callId: string,
  what: string,
  bid: string,
) {
  return `${publicUrl}/v1/telephony/${provider}/calls/${encodeURIComponent(callId)}/${what}?bid=${encodeURIComponent(bid)}`;
}

export interface DialContext {
  publicUrl: string;
  provider: Provider;
  callId: string;
  /** The seller campaign's facts (ring timeout, maximum duration), when known. */
  campaign?: Pick<SellerCampaignEntry, "dialTimeoutSec" | "maxCallDurationSec">;
  defaultTimeoutSec: number;
}

/** Seconds kept between the carrier's time limit and the call's hold end, for the completed callback. */
export const CALLBACK_MARGIN_SEC = 30;

/**
 * The bridged call's time limit: the call holds its buyer at most the seller campaign's maximum
 * duration from routing (then it is expired unbilled), and ringing comes first, so the carrier ends
 * the call early enough that its `completed` (the billed duration) still arrives within the hold.
 */
export function timeLimitSec(maxCallDurationSec: number, timeoutSec: number, provider: Provider): number {
  const [min, max] = TIME_LIMIT_RANGE[provider];
  return Math.min(max, Math.max(min, maxCallDurationSec - timeoutSec - CALLBACK_MARGIN_SEC));
}

/** What each carrier accepts for `<Dial timeLimit>` (Telnyx TeXML: 60 to 14,400 s; Twilio: up to 14,400 s). */
const TIME_LIMIT_RANGE: Record<Provider, [number, number]> = { twilio: [1, 14_400], telnyx: [60, 14_400] };
/** `<Dial timeout>` both carriers accept (Telnyx: 5 to 120 s). */
const RING_RANGE: [number, number] = [5, 120];

/** The Dial options for a routed decision; more attributes (recording, whisper) are added by callers. */
export function dialOptions(ctx: DialContext, decision: CallDecision): DialOptions {
  const bid = decision.bidId ?? "";
  const ring = ctx.campaign?.dialTimeoutSec ?? ctx.defaultTimeoutSec;
  const timeoutSec = Math.min(RING_RANGE[1], Math.max(RING_RANGE[0], ring));
  return {
    action: callbackUrl(ctx.publicUrl, ctx.provider, ctx.callId, "dial", bid),
    statusCallback: callbackUrl(ctx.publicUrl, ctx.provider, ctx.callId, "status", bid),
    timeoutSec,
    timeLimitSec: timeLimitSec(
      ctx.campaign?.maxCallDurationSec ?? DEFAULT_MAX_CALL_DURATION_SEC,
      timeoutSec,
      ctx.provider,
    ),
    destination: withConversionKey(decision.destination ?? {}, decision.conversionKey),
  };
}

/** The SIP header a conversion-billed call's buyer leg carries its conversion key in. */
export const CONVERSION_KEY_HEADER = "X-DCE-Conversion-Key";

/**
 * A SIP buyer of a conversion-billed call gets the call's conversion key on the call itself, as a
 * custom SIP header (a `sip:` URI's header parameters, which both carriers pass on to the buyer's
 * INVITE); a phone number cannot carry it, so that buyer has it from its webhook and GET only.
 */
export function withConversionKey(destination: Destination, key: string | undefined): Destination {
  if (!key || !destination.sip) return destination;
  const sep = destination.sip.includes("?") ? "&" : "?";
  return {
    ...destination,
    sip: `${destination.sip}${sep}${CONVERSION_KEY_HEADER}=${encodeURIComponent(key)}`,
  };
}

/**
 * The answer for a routed call: the disclosure where the routing says so (not again on a re-route: the
 * caller heard it), then the Dial, with the call's media attributes (api/telephony/media.ts: recording,
 * whisper) when it has any.
 */
export function routedAnswer(
  ctx: DialContext,
  decision: CallDecision,
  rerouted = false,
  media: Pick<DialOptions, "dialAttributes" | "targetAttributes"> = {},
): string {
  const steps: Step[] = [];
  if (decision.recordingDisclosure && !rerouted) steps.push({ say: DISCLOSURE });
  steps.push({ dial: { ...dialOptions(ctx, decision), ...media } });
  return twiml(steps);
}

/** The seller campaign's fallback (default: a short message), always ending the call or forwarding it. */
export function fallbackAnswer(fallback: CarrierFallback | undefined, timeoutSec = 30): string {
  const f = fallback ?? { action: "message", message: DEFAULT_FALLBACK_MESSAGE };
  if (f.action === "hangup") return twiml([{ hangup: true }]);
  if (f.action === "forward") return twiml([{ forward: { number: f.number, timeoutSec } }, { hangup: true }]);
  return twiml([{ say: f.message }, { hangup: true }]);
}

export const hangupAnswer = () => twiml([{ hangup: true }]);

/** What an answer tells the carrier to do (the requests counter's outcome). */
export function answerKind(body: string): "dial" | "hangup" | "fallback" {
  if (body.includes("<Dial action=")) return "dial";
  return body.endsWith("<Response><Hangup/></Response>") ? "hangup" : "fallback";
}
