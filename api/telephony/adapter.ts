// The carrier adapter, the same for every provider: a voice webhook becomes the call's offer (one actor
// call, as POST /v1/calls) and its answer a Dial or the fallback; buyer-leg callbacks and the Dial's
// outcome become lifecycle events, and an unanswered Dial goes to the next bid in the same answer.
import type { CallEventCommand, CallState, ICallActor } from "../../actors/call/call-api.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import { readSellerCampaign } from "../../actors/seller/campaign-index.ts";
import type { ApiDeps } from "../deps.ts";
import { lookupNumber } from "../numbers/lookup.ts";
import { type OfferInput, offerCallId, submitOffer } from "../offer.ts";
import { ApiError } from "../problem.ts";
import { actorCall } from "../validate.ts";
import { type DialContext, fallbackAnswer, hangupAnswer, routedAnswer } from "./answers.ts";
import {
  attestationOf,
  callerPlace,
  dialOutcomeEvent,
  legStatusEvent,
  type Params,
  type Provider,
} from "./carrier-params.ts";

const callActor = (deps: ApiDeps, callId: string) => actorProxy<ICallActor>(deps.dapr, "CallActor", callId);

/**
 * The voice webhook: `To` names the tracking number (its seller campaign), `From` the caller; the
 * carrier's call id is the idempotency key, so a retried webhook finds the same call and decision.
 * Never an error to the carrier (the caller would hear a failure): anything wrong answers the fallback.
 */
export async function answerVoice(deps: ApiDeps, provider: Provider, p: Params): Promise<string> {
  const log = deps.logger.child({ provider, carrierCallSid: p.CallSid });
  const number = await lookupNumber(deps, p.To ?? "").catch((err: unknown) => {
    log.error({ err }, "telephony.number_lookup_failed");
    return null;
  });
  if (!number || !p.CallSid) {
    log.warn("telephony.number_unknown");
    return fallbackAnswer(undefined);
  }
  // Read beside the offer (one Redis read, not on the offer's path): the ring timeout and the fallback.
  const campaignRead = readSellerCampaign(deps.redis, number.sellerCampaignId).catch(() => undefined);
  if (deps.stream?.overBound()) {
    log.warn("telephony.offer_refused_backlog");
    return fallbackAnswer((await campaignRead)?.carrierFallback);
  }
  const attestation = attestationOf(provider, p);
  const input: OfferInput = {
    sellerCampaignId: number.sellerCampaignId,
    callerNumber: p.From ?? "",
    tags: number.tags,
    ...callerPlace(p),
    ...(attestation ? { attestation } : {}),
  };
  try {
    const [decision, campaign] = await Promise.all([
      submitOffer(deps, {
        sellerId: number.sellerId,
        idempotencyKey: `${provider}:${p.CallSid}`,
        input,
        channel: { provider, carrierCallSid: p.CallSid },
      }),
      campaignRead,
    ]);
    if (decision.status !== "routed") {
      log.info(
        { callId: decision.callId, status: decision.status, reason: decision.reason?.code },
        "telephony.no_buyer",
      );
      return fallbackAnswer(campaign?.carrierFallback);
    }
    return routedAnswer(dialContext(deps, provider, decision.callId, campaign), decision);
  } catch (err) {
    log.error(
      { err, callId: offerCallId(number.sellerId, `${provider}:${p.CallSid}`) },
      "telephony.offer_failed",
    );
    return fallbackAnswer((await campaignRead)?.carrierFallback);
  }
}

function dialContext(
  deps: ApiDeps,
  provider: Provider,
  callId: string,
  campaign: DialContext["campaign"],
): DialContext {
  return {
    publicUrl: deps.config.publicUrl,
    provider,
    callId,
    campaign,
    defaultTimeoutSec: deps.config.carrier.dialTimeoutSec,
  };
}

/**
 * Applies a carrier event: the call after it, or undefined when the call refused it (a late or
 * out-of-order callback: nothing to do). Unavailability is thrown (503: the carrier may retry).
 */
async function apply(deps: ApiDeps, callId: string, cmd: CallEventCommand): Promise<CallState | undefined> {
  try {
    return await actorCall(callActor(deps, callId).event(cmd));
  } catch (err) {
    if (err instanceof ApiError && err.status < 500) {
      deps.logger.info({ callId, eventId: cmd.eventId, code: err.code }, "telephony.callback_ignored");
      return undefined;
    }
    throw err;
  }
}

/** A buyer leg's status callback: ringing, answered, completed (the carrier's duration), or failed. */
export async function recordLegStatus(
  deps: ApiDeps,
  provider: Provider,
  callId: string,
  bid: string,
  p: Params,
): Promise<"recorded" | "ignored"> {
  const cmd = legStatusEvent(provider, p, bid);
  return cmd && (await apply(deps, callId, cmd)) ? "recorded" : "ignored";
}

/**
 * The Dial's outcome: recorded like the leg's own callback; then a call re-routed (now or by an earlier
 * callback) is dialed to its new buyer in this same answer, an unanswered call with no one left gets
 * the seller campaign's fallback, and anything else hangs up.
 */
export async function answerDialOutcome(
  deps: ApiDeps,
  provider: Provider,
  callId: string,
  bid: string,
  p: Params,
): Promise<string> {
  const cmd = dialOutcomeEvent(provider, p, bid);
  let after: CallState | undefined;
  try {
    after = cmd ? await apply(deps, callId, cmd) : undefined;
  } catch (err) {
    // The caller is on the line: never an error. The leg's own callback may still record the outcome.
    deps.logger.error({ err, callId, provider }, "telephony.dial_outcome_failed");
    return cmd?.type === "failed" && p.CallStatus !== "completed"
      ? fallbackAnswer(undefined)
      : hangupAnswer();
  }
  const state = after ?? (await actorCall(callActor(deps, callId).get()).catch(() => undefined));
  if (!state) return hangupAnswer();
  const campaign = await readSellerCampaign(deps.redis, state.sellerCampaignId).catch(() => undefined);
  if (state.status === "routed" && state.decision.bidId && state.decision.bidId !== bid) {
    return routedAnswer(dialContext(deps, provider, callId, campaign), state.decision, true);
  }
  const callerLeft = p.CallStatus === "completed" || cmd?.reason === "canceled";
  if (cmd?.type === "failed" && !callerLeft) return fallbackAnswer(campaign?.carrierFallback);
  return hangupAnswer();
}
