// The one offer path into the CallActor, shared by POST /v1/calls and the carrier voice webhooks: the
// call id from (seller, idempotency key), the keyed request hash, and one actor call.
import { createHash } from "node:crypto";
import type * as v from "valibot";
import type { CallDecision, CarrierChannel, ICallActor, OfferCommand } from "../actors/call/call-api.ts";
import { actorProxy } from "../actors/platform/dapr-client.ts";
import { offerRequestHashes } from "./compliance/offer-subject.ts";
import type { ApiDeps } from "./deps.ts";
import { auctionOutcomes } from "./metrics.ts";
import type { OfferCall } from "./schemas/calls.ts";
import { actorCall } from "./validate.ts";

export type OfferInput = v.InferOutput<typeof OfferCall>;

/** A call's id: the same (seller, key) always names the same call, so a retried offer finds it. */
export function offerCallId(sellerId: string, idempotencyKey: string): string {
  return `call_${createHash("sha256").update(`${sellerId}\u0000${idempotencyKey}`).digest("hex").slice(0, 28)}`;
}

/**
 * Offers the call: admission, caller checks, the compliance screen, the auction and the reservation
 * (with their undo steps) all run in the call's one turn. Answers the routing decision.
 */
export async function submitOffer(
  deps: ApiDeps,
  o: { sellerId: string; idempotencyKey: string; input: OfferInput; channel?: CarrierChannel },
): Promise<CallDecision> {
  const { input, sellerId } = o;
  const callId = offerCallId(sellerId, o.idempotencyKey);
  const cmd: OfferCommand = {
    callId,
    sellerId,
    sellerCampaignId: input.sellerCampaignId,
    ...offerRequestHashes(deps.config.pii, input),
    callerNumber: input.callerNumber,
    pingCallerNumber: input.pingCallerNumber,
    consentCertificate: input.consentCertificate,
    callerState: input.callerState,
    callerZip: input.callerZip,
    vertical: input.vertical,
    tags: input.tags,
    attestation: input.attestation,
    receivedAtMs: deps.now(),
    ...(o.channel ? { channel: o.channel } : {}),
  };
  const decision = await actorCall(actorProxy<ICallActor>(deps.dapr, "CallActor", callId).offer(cmd));
  auctionOutcomes.inc({ outcome: decision.status });
  return decision;
}
