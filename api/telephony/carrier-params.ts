// Carrier request parameters (Twilio's names; Telnyx TeXML uses the same, plus its own attestation and
// hang-up fields) mapped to what the exchange understands: the attestation, the offer's caller facts,
// and the call lifecycle events of a buyer leg's status callback or a Dial's outcome.
import type { CallEventCommand } from "../../actors/call/call-api.ts";

export type Provider = "twilio" | "telnyx";
export const PROVIDERS: readonly Provider[] = ["twilio", "telnyx"];
export type Params = Record<string, string>;

/**
 * The carrier's STIR/SHAKEN verdict as an attestation. Twilio: `StirVerstat` TN-Validation-Passed-A|B|C
 * (a plain TN-Validation-Passed is A, as Telnyx's SIP verstat writes it). Telnyx TeXML:
 * `ShakenStirAttestation` A|B|C, trusted only with `ShakenStirValidated=true`. A failed or absent
 * verification gives no attestation, which ranks below C (a campaign minimum then refuses the call).
 */
export function attestationOf(provider: Provider, p: Params): "A" | "B" | "C" | undefined {
  if (provider === "telnyx" && p.ShakenStirAttestation !== undefined) {
    if (p.ShakenStirValidated !== "true") return undefined;
    return /^[ABC]$/.test(p.ShakenStirAttestation) ? (p.ShakenStirAttestation as "A" | "B" | "C") : undefined;
  }
  const m = /^TN-Validation-Passed(?:-([ABC]))?$/.exec(p.StirVerstat ?? "");
  if (!m) return undefined;
  return (m[1] ?? "A") as "A" | "B" | "C";
}

/** The caller's state and ZIP when the carrier looked them up (Twilio's FromState / FromZip). */
export function callerPlace(p: Params): { callerState?: string; callerZip?: string } {
  return {
    ...(/^[A-Z]{2}$/.test(p.FromState ?? "") ? { callerState: p.FromState } : {}),
    ...(/^[0-9]{5}$/.test(p.FromZip ?? "") ? { callerZip: p.FromZip } : {}),
  };
}

/** A leg's unanswered ends as the call's failure reasons (no_answer, busy, unreachable re-route). */
const FAILED_REASON: Record<string, string> = {
  busy: "busy",
  "no-answer": "no_answer",
  failed: "unreachable",
  canceled: "canceled",
};

/** The event id of a leg's event: a duplicate callback, or the same fact told twice, is one event. */
export const legEventId = (provider: Provider, legSid: string, type: string) =>
  `${provider}:${legSid}:${type}`;

const seconds = (raw: string | undefined): number | undefined =>
  raw !== undefined && /^\d{1,6}$/.test(raw) ? Number(raw) : undefined;

type CarrierEvent = CallEventCommand & { source: "carrier"; provider: Provider; bidId: string };

/** A buyer leg's status callback (`CallSid` is the leg) as a lifecycle event; undefined: nothing to do. */
export function legStatusEvent(provider: Provider, p: Params, bidId: string): CarrierEvent | undefined {
  const leg = p.CallSid;
  if (!leg) return undefined;
  const base = { source: "carrier" as const, provider, bidId };
  const status = p.CallStatus ?? "";
  if (status === "ringing")
    return { ...base, eventId: legEventId(provider, leg, "ringing"), type: "ringing" };
  if (status === "in-progress" || status === "answered")
    return { ...base, eventId: legEventId(provider, leg, "connected"), type: "connected" };
  if (status === "completed") {
    const durationSec = seconds(p.CallDuration);
    if (durationSec === undefined) return undefined;
    // Who hung up is read from the Dial's outcome, where the parties are unambiguous.
    return { ...base, eventId: legEventId(provider, leg, "completed"), type: "completed", durationSec };
  }
  const reason = FAILED_REASON[status];
  if (reason) return { ...base, eventId: legEventId(provider, leg, "failed"), type: "failed", reason };
  return undefined; // initiated, queued: nothing the call records
}

/**
 * The Dial's outcome (posted to its `action`; `CallSid` is the caller's leg, `DialCallSid` the buyer's)
 * as a lifecycle event with the same id the buyer leg's own callback would carry, so whichever comes
 * first counts and the other replays. The caller's leg still in progress means the buyer hung up;
 * completed means the caller did (Telnyx's `HangupSource` wins when present).
 */
export function dialOutcomeEvent(provider: Provider, p: Params, bidId: string): CarrierEvent | undefined {
  const status = p.DialCallStatus ?? "";
  const leg = p.DialCallSid || `${p.CallSid ?? "unknown"}:${bidId}`;
  const base = { source: "carrier" as const, provider, bidId };
  const callerGone = p.CallStatus === "completed";
  if (status === "completed" || status === "answered") {
    const durationSec = seconds(p.DialCallDuration);
    if (durationSec === undefined || !p.DialCallSid) return undefined;
    const hangupBy = telnyxHangupBy(p) ?? (callerGone ? "caller" : p.CallStatus ? "buyer" : undefined);
    return {
      ...base,
      eventId: legEventId(provider, leg, "completed"),
      type: "completed",
      durationSec,
      ...(hangupBy ? { hangupBy } : {}),
    };
  }
  const reason = FAILED_REASON[status];
  if (!reason) return undefined;
  // The caller hung up while the buyer rang: not the buyer's no-answer, so never re-routed.
  const why = callerGone && reason !== "canceled" ? "canceled" : reason;
  return { ...base, eventId: legEventId(provider, leg, "failed"), type: "failed", reason: why };
}

/** Telnyx's `HangupSource`: caller, or callee (the buyer). */
function telnyxHangupBy(p: Params): "caller" | "buyer" | undefined {
  if (p.HangupSource === "caller") return "caller";
  if (p.HangupSource === "callee") return "buyer";
  return undefined;
}
