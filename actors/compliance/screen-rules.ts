// The offer screen as one pure decision: compliance gates (Do-Not-Call, calling hours, call
// frequency, consent) then the fraud screen (blocklist, caller mismatch, attestation, velocity).
// The API gathers the facts (Redis, Postgres); this module only decides. First refusal wins.
import type { ReasonCode } from "../kernel/reasons.ts";
import type { HoursVerdict } from "./calling-hours.ts";

export type TrafficType = "inbound" | "outbound" | "callback";
export type Attestation = "A" | "B" | "C";

/** What a seller campaign asks of the screen; every field has a safe default. */
export interface ScreenSettings {
  trafficType: TrafficType;
  minAttestation?: Attestation;
  requireConsent: boolean;
  /** Off unless the campaign sets a window; unset windows then take DEFAULT_VELOCITY's. */
  velocity?: VelocityLimits;
}

export interface VelocityLimits {
  per15m: number;
  per1h: number;
  per24h: number;
}

/** Telecom abuse-tooling thresholds (7 per 15 min, 9 per hour, 15 per 24 h per number). */
export const DEFAULT_VELOCITY: VelocityLimits = { per15m: 7, per1h: 9, per24h: 15 };

export const DEFAULT_SETTINGS: ScreenSettings = { trafficType: "inbound", requireConsent: false };

export type ConsentStatus = "valid" | "none" | "expired" | "unknown" | "other_caller";

export interface ScreenFacts {
  /** Exchange-wide lists (national, state, internal) holding the caller. */
  dncLists: string[];
  blocked: boolean;
  /** Calling-hours verdict; only consulted for outbound and callback traffic. */
  hours: HoursVerdict;
  /** Calls already placed to this caller on this subject in the last 24 hours. */
  recentSameSubject: number;
  consent: ConsentStatus;
  attestation?: Attestation;
  /** Offers from this caller in each window, this one included. */
  velocity: { m15: number; h1: number; h24: number };
  /** The ping carried another caller number than the call. */
  callerMismatch: boolean;
}

export type ScreenKind = "compliance" | "fraud";
export type Screening =
  | { ok: true; consent: ConsentStatus }
  | { ok: false; kind: ScreenKind; code: ReasonCode; detail: string };

const ATTESTATION_RANK: Record<Attestation, number> = { A: 3, B: 2, C: 1 };

export function screenOffer(settings: ScreenSettings, f: ScreenFacts): Screening {
  const no = (kind: ScreenKind, code: ReasonCode, detail: string): Screening => ({
    ok: false,
    kind,
    code,
    detail,
  });
  if (f.dncLists.length > 0)
    return no("compliance", "dnc_suppressed", `on Do-Not-Call list(s): ${f.dncLists.join(", ")}`);
  if (settings.trafficType !== "inbound") {
    if (!f.hours.ok) return no("compliance", "outside_calling_hours", f.hours.detail);
    const max = f.hours.maxCallsPer24h;
    if (max !== undefined && f.recentSameSubject >= max) {
      return no(
        "compliance",
        "calling_frequency_limit",
        `${f.recentSameSubject} calls on this subject in 24 h; the called party's state allows ${max}`,
      );
    }
  }
  if (settings.requireConsent) {
    if (f.consent === "expired")
      return no("compliance", "consent_expired", "the consent certificate expired");
    if (f.consent !== "valid") {
      const why = {
        none: "no consentCertificate on the offer",
        unknown: "the consent certificate is not on record",
        other_caller: "the consent certificate belongs to another caller",
      }[f.consent];
      return no("compliance", "consent_missing", why);
    }
  }
  if (f.blocked) return no("fraud", "caller_blocked", "the caller number is on the exchange blocklist");
  if (f.callerMismatch)
    return no("fraud", "caller_mismatch", "the call's caller number differs from its ping's");
  if (settings.minAttestation) {
    const got = f.attestation ? ATTESTATION_RANK[f.attestation] : 0;
    if (got < ATTESTATION_RANK[settings.minAttestation]) {
      return no(
        "fraud",
        "attestation_too_low",
        `attestation ${f.attestation ?? "none"}; the campaign requires ${settings.minAttestation} or better`,
      );
    }
  }
  const v = settings.velocity;
  if (!v) return { ok: true, consent: f.consent };
  for (const [count, limit, window] of [
    [f.velocity.m15, v.per15m, "15 minutes"],
    [f.velocity.h1, v.per1h, "1 hour"],
    [f.velocity.h24, v.per24h, "24 hours"],
  ] as const) {
    if (count > limit) return no("fraud", "velocity_exceeded", `${count} calls in ${window}; limit ${limit}`);
  }
  return { ok: true, consent: f.consent };
}

/** A consent record against the offer: it must belong to this caller and not have expired. */
export function consentStatus(
  record: { callerHash: string; expiresAt: string } | undefined,
  certificate: string | undefined,
  callerHash: string,
  nowMs: number,
): ConsentStatus {
  if (!certificate) return "none";
  if (!record) return "unknown";
  if (record.callerHash !== callerHash) return "other_caller";
  return Date.parse(record.expiresAt) <= nowMs ? "expired" : "valid";
}
