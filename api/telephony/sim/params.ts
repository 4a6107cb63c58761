// What the simulated carrier puts in its requests: ids in each provider's shape, Twilio's parameter
// names (TeXML uses the same), the caller's STIR/SHAKEN verdict as each provider sends it, timestamps.
import { randomBytes } from "node:crypto";

export type Provider = "twilio" | "telnyx";

/** A fresh carrier id: Twilio's `CA…`/`RE…`/`AC…` (two letters + 32 hex), Telnyx's `v3:…`. */
export function carrierId(provider: Provider, prefix: "CA" | "RE" | "AC"): string {
  if (provider === "telnyx" && prefix !== "AC") return `v3:${randomBytes(24).toString("base64url")}`;
  return `${prefix}${randomBytes(16).toString("hex")}`;
}

/**
 * The caller's verdict in the provider's own parameter: Twilio's `StirVerstat`
 * (`TN-Validation-Passed-A`, …); Telnyx TeXML's `ShakenStirAttestation` (A, B, C) with
 * `ShakenStirValidated`. `attestation` is the letter; "failed" and "none" are the two negative verdicts.
 */
export function attestationParams(provider: Provider, attestation?: string): Record<string, string> {
  if (!attestation) return {};
  if (provider === "twilio") {
    if (attestation === "failed") return { StirVerstat: "TN-Validation-Failed" };
    if (attestation === "none") return { StirVerstat: "No-TN-Validation" };
    return { StirVerstat: `TN-Validation-Passed-${attestation}` };
  }
  if (attestation === "failed") return { ShakenStirValidated: "false" };
  if (attestation === "none") return {};
  return { ShakenStirAttestation: attestation, ShakenStirValidated: "true" };
}

/** The HTTP date of the simulated instant `atSec` seconds after `startedAt` (Twilio's `Timestamp`). */
export function timestampAt(startedAt: Date, atSec: number): string {
  return new Date(startedAt.getTime() + atSec * 1000).toUTCString();
}

/** Seconds a `<Say>` takes to speak: about 2.5 words a second, at least one. */
export function sayDurationSec(text: string): number {
  return Math.max(1, Math.ceil(text.split(/\s+/).filter(Boolean).length / 2.5));
}

/** Seconds the prompts nested in a `<Gather>` take. */
export function promptSec(prompts: { verb: string; text?: string; lengthSec?: number }[]): number {
  let sec = 0;
  for (const p of prompts)
    sec += p.verb === "Say" ? sayDurationSec(p.text ?? "") : p.verb === "Pause" ? (p.lengthSec ?? 1) : 5;
  return sec;
}

/** What a carrier says about the buyer leg in every request on it (status callbacks, the leg's own TwiML). */
export function legParams(
  run: { accountSid: string; callSid: string; call: { from: string } },
  legSid: string,
  to: string,
  callStatus: string,
): Record<string, string> {
  return {
    AccountSid: run.accountSid,
    CallSid: legSid,
    ParentCallSid: run.callSid,
    From: run.call.from,
    To: to,
    Direction: "outbound-dial",
    ApiVersion: "2010-04-01",
    CallStatus: callStatus,
  };
}
