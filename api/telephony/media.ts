// The carrier edge's call media: what a Dial to the winner carries (recording, whisper), and the
// handlers of the carrier's recording callback, whisper fetch and press-1 answer. Signatures are the
// carrier edge's (checked before these run); these see the verified form parameters.
import type { CallDecision, CallState, ICallActor } from "../../actors/call/call-api.ts";
import { NOT_ACCEPTED } from "../../actors/call/rules.ts";
import { RETENTION_DAYS, recordingFor } from "../../actors/kernel/media.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import { readCampaignMedia } from "../../actors/runtime/targeting-index.ts";
import type { SellerCampaignEntry } from "../../actors/seller/campaign-index.ts";
import type { ApiDeps } from "../deps.ts";
import { ApiError } from "../problem.ts";
import { archivedCall } from "../routes/call-archive.ts";
import { findSellerCampaign } from "../routes/campaigns.ts";
import type { Params, Provider } from "./carrier-params.ts";
import {
  acceptTwiml,
  recordingDialAttributes,
  whisperTargetAttributes,
  whisperTwiml,
} from "./media-twiml.ts";
import { captureRecording } from "./recordings/capture.ts";
import { mediaAuthHeaders } from "./recordings/media-auth.ts";
import { receiveRecording } from "./recordings/store.ts";

/** The URL under which the carrier reaches one call's media routes. */
export const mediaUrl = (baseUrl: string, provider: Provider, callId: string, leaf: string) =>
  `${baseUrl}/v1/telephony/${provider}/calls/${encodeURIComponent(callId)}/${leaf}`;

const callActor = (deps: ApiDeps, callId: string) => actorProxy<ICallActor>(deps.dapr, "CallActor", callId);

/** The call facts the media terms hang on: its seller campaign and the routing it holds now. */
type Routed = { callId: string; sellerCampaignId: string; decision: CallDecision };

/** The seller campaign's recording terms, when the caller already read its index entry. */
type SellerTerms = Pick<SellerCampaignEntry, "recording">;

/** The media terms of the call's current routing: its buyer campaign's, and its seller campaign's recording. */
async function termsOf(deps: ApiDeps, call: Routed, known?: SellerTerms) {
  const campaignId = call.decision.buyerCampaignId;
  const [buyer, seller] = await Promise.all([
    campaignId ? readCampaignMedia(deps.redis, campaignId) : undefined,
    known ?? findSellerCampaign(deps, call.sellerCampaignId),
  ]);
  return { recording: recordingFor(buyer?.recording, seller?.recording), whisper: buyer?.whisper };
}

export interface DialMedia {
  dialAttributes?: Record<string, string>;
  targetAttributes?: Record<string, string>;
}

/**
 * The attributes a Dial to the call's current buyer carries (the carrier edge's DialOptions): recording
 * when either campaign asks for it, a whisper URL when the buyer campaign has one. Empty when neither.
 */
export async function dialMedia(
  deps: ApiDeps,
  baseUrl: string,
  provider: Provider,
  call: Routed,
  seller?: SellerTerms,
): Promise<DialMedia> {
  const terms = await termsOf(deps, call, seller);
  const buyerId = call.decision.buyerId ?? "";
  const whisperAt = `${mediaUrl(baseUrl, provider, call.callId, "whisper")}?buyerId=${encodeURIComponent(buyerId)}`;
  return {
    ...(terms.recording
      ? { dialAttributes: recordingDialAttributes(mediaUrl(baseUrl, provider, call.callId, "recording")) }
      : {}),
    ...(terms.whisper ? { targetAttributes: whisperTargetAttributes(whisperAt) } : {}),
  };
}

async function liveCall(deps: ApiDeps, callId: string): Promise<CallState | undefined> {
  const r = await callActor(deps, callId).get();
  return r.ok ? r.value : undefined;
}

/**
 * The call a recording belongs to: its live document, else its history row (a recording reported
 * after the finished call's document expired still finds its parties).
 */
async function recordedCall(
  deps: ApiDeps,
  callId: string,
): Promise<(Routed & { sellerId: string }) | undefined> {
  const live = await liveCall(deps, callId);
  if (live) return live;
  const row = await archivedCall(deps, callId);
  if (!row) return undefined;
  const decision: CallDecision = {
    callId,
    status: row.buyerId ? "routed" : "rejected",
    ...(row.buyerId ? { buyerId: row.buyerId } : {}),
    ...(row.buyerCampaignId ? { buyerCampaignId: row.buyerCampaignId } : {}),
  };
  return { callId, sellerId: row.sellerId, sellerCampaignId: row.sellerCampaignId, decision };
}

const SID = /^[A-Za-z0-9_-]{1,64}$/;
const count = (raw: string | undefined, fallback: number) => {
  const n = Number(raw ?? fallback);
  return Number.isSafeInteger(n) && n >= 0 ? n : fallback;
};

/**
 * The recording callback: stored pending, then its media hashed (URL and SHA-256 audited); a failed
 * fetch leaves it pending for the sweep, and the carrier still gets its 204. Only `completed` counts.
 */
export async function onRecording(
  deps: ApiDeps,
  provider: Provider,
  callId: string,
  form: Params,
): Promise<{ status: "ignored" | "stored" | "pending" }> {
  const sid = form.RecordingSid ?? "";
  const url = form.RecordingUrl ?? "";
  if (!SID.test(sid) || !/^https?:\/\//.test(url) || url.length > 2000) {
    throw new ApiError(400, "validation_failed", "RecordingSid and RecordingUrl are required", {
      errors: [{ path: "RecordingSid", message: "a recording callback needs RecordingSid and RecordingUrl" }],
    });
  }
  const log = deps.logger.child({ callId, recordingSid: sid, provider });
  if ((form.RecordingStatus ?? "completed") !== "completed") {
    log.info({ recordingStatus: form.RecordingStatus }, "recording.not_completed");
    return { status: "ignored" };
  }
  const call = await recordedCall(deps, callId);
  if (!call) throw new ApiError(404, "call_unknown", "no such call");
  const terms = await termsOf(deps, call);
  const report = {
    provider,
    callId,
    recordingSid: sid,
    url,
    durationSec: count(form.RecordingDuration, 0),
    channels: count(form.RecordingChannels, 2),
  };
  const { row } = await receiveRecording(
    deps.db,
    report,
    { sellerId: call.sellerId, buyerId: call.decision.buyerId },
    terms.recording?.retentionDays ?? RETENTION_DAYS.default,
    deps.now(),
  );
  const policy = {
    allowLocal: deps.config.egressAllowLocal,
    ...(deps.resolve ? { resolve: deps.resolve } : {}),
  };
  const status = await captureRecording(
    {
      db: deps.db,
      logger: log,
      policy,
      timeoutMs: deps.config.recordings.fetchTimeoutMs,
      headersFor: (u) => mediaAuthHeaders(u, deps.carrierSecrets?.twilioAuthToken),
    },
    row,
    deps.now,
  );
  return { status };
}

/**
 * The whisper, fetched by the carrier when the buyer answers: the campaign's message, and with
 * acceptance required a press-1 prompt (the call records that acceptance is awaited). A call no longer
 * dialing this buyer is hung up on.
 */
export async function onWhisper(
  deps: ApiDeps,
  baseUrl: string,
  provider: Provider,
  callId: string,
  buyerId: string,
): Promise<string> {
  const call = await liveCall(deps, callId);
  if (!call || call.decision.buyerId !== buyerId) return acceptTwiml(false);
  const { whisper } = await termsOf(deps, call);
  if (!whisper) return acceptTwiml(true);
  if (!whisper.requireAcceptance) return whisperTwiml(whisper.message);
  const asked = await callActor(deps, callId).accept({ buyerId, answeredAtMs: deps.now() });
  if (!asked.ok) return acceptTwiml(false);
  const acceptAt = `${mediaUrl(baseUrl, provider, callId, "accept")}?buyerId=${encodeURIComponent(buyerId)}`;
  return whisperTwiml(whisper.message, acceptAt);
}

/**
 * The agent's key press: `1` accepts (the call records the instant) and bridges. Anything else, or
 * silence (the whisper redirects here without Digits), hangs up and fails this attempt `not_accepted`,
 * so the call goes to the next bid at once; the Dial's later outcome for this bid is then stale.
 */
export async function onAccept(
  deps: ApiDeps,
  provider: Provider,
  callId: string,
  buyerId: string,
  digits: string | undefined,
) {
  const actor = callActor(deps, callId);
  if (digits === "1") {
    const now = deps.now();
    const r = await actor.accept({ buyerId, answeredAtMs: now, acceptedAtMs: now });
    return acceptTwiml(r.ok);
  }
  const call = await liveCall(deps, callId);
  const bidId = call?.decision.bidId;
  if (call && bidId && call.decision.buyerId === buyerId) {
    const r = await actor.event({
      eventId: `${provider}:${callId}:${bidId}:${NOT_ACCEPTED}`,
      type: "failed",
      reason: NOT_ACCEPTED,
      source: "carrier",
      bidId,
    });
    if (!r.ok) deps.logger.info({ callId, code: r.reason.code }, "telephony.decline_ignored");
  }
  return acceptTwiml(false);
}
