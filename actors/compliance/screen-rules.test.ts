import { describe, expect, it } from "vitest";
import {
  consentStatus,
  DEFAULT_SETTINGS,
  DEFAULT_VELOCITY,
  type ScreenFacts,
  type ScreenSettings,
  screenOffer,
} from "./screen-rules.ts";

const clean: ScreenFacts = {
  dncLists: [],
  blocked: false,
  hours: { ok: true, rules: ["us-federal-2003"] },
  recentSameSubject: 0,
  consent: "none",
  velocity: { m15: 1, h1: 1, h24: 1 },
  callerMismatch: false,
};
const outbound: ScreenSettings = { ...DEFAULT_SETTINGS, trafficType: "outbound" };
const watched: ScreenSettings = { ...DEFAULT_SETTINGS, velocity: DEFAULT_VELOCITY };

describe("offer screen", () => {
  it("passes a clean inbound call", () => {
    expect(screenOffer(DEFAULT_SETTINGS, clean)).toEqual({ ok: true, consent: "none" });
  });

  it.each([
    [{ dncLists: ["national"] }, DEFAULT_SETTINGS, "dnc_suppressed"],
    [{ blocked: true }, DEFAULT_SETTINGS, "caller_blocked"],
    [{ callerMismatch: true }, DEFAULT_SETTINGS, "caller_mismatch"],
    [{ velocity: { m15: 8, h1: 8, h24: 8 } }, watched, "velocity_exceeded"],
    [{ velocity: { m15: 1, h1: 10, h24: 10 } }, watched, "velocity_exceeded"],
    [{ velocity: { m15: 1, h1: 1, h24: 16 } }, watched, "velocity_exceeded"],
    [{ hours: { ok: false, code: "outside_calling_hours", detail: "x" } }, outbound, "outside_calling_hours"],
    [
      { hours: { ok: true, rules: [], maxCallsPer24h: 3 }, recentSameSubject: 3 },
      outbound,
      "calling_frequency_limit",
    ],
    [{}, { ...DEFAULT_SETTINGS, requireConsent: true }, "consent_missing"],
    [{ consent: "expired" }, { ...DEFAULT_SETTINGS, requireConsent: true }, "consent_expired"],
    [{ consent: "other_caller" }, { ...DEFAULT_SETTINGS, requireConsent: true }, "consent_missing"],
    [{ attestation: "B" }, { ...DEFAULT_SETTINGS, minAttestation: "A" }, "attestation_too_low"],
    [{}, { ...DEFAULT_SETTINGS, minAttestation: "C" }, "attestation_too_low"],
  ] as const)("refuses %j under %j with %s", (facts, settings, code) => {
    expect(screenOffer(settings as ScreenSettings, { ...clean, ...facts } as ScreenFacts)).toMatchObject({
      ok: false,
      code,
    });
  });

  it("leaves velocity unchecked unless the campaign sets limits", () => {
    expect(screenOffer(DEFAULT_SETTINGS, { ...clean, velocity: { m15: 99, h1: 99, h24: 99 } }).ok).toBe(true);
  });

  it("ignores calling hours and frequency for inbound traffic", () => {
    const night = { ...clean, hours: { ok: false, code: "outside_calling_hours", detail: "x" } } as const;
    expect(screenOffer(DEFAULT_SETTINGS, night).ok).toBe(true);
  });

  it("allows the third call of 24 h in a 3-call state, refuses the fourth", () => {
    const hours = { ok: true as const, rules: [], maxCallsPer24h: 3 };
    expect(screenOffer(outbound, { ...clean, hours, recentSameSubject: 2 }).ok).toBe(true);
    expect(screenOffer(outbound, { ...clean, hours, recentSameSubject: 3 }).ok).toBe(false);
  });

  it("checks Do-Not-Call before everything else", () => {
    expect(screenOffer(outbound, { ...clean, dncLists: ["internal"], blocked: true })).toMatchObject({
      code: "dnc_suppressed",
      kind: "compliance",
    });
  });

  it("accepts an attestation at or above the minimum", () => {
    expect(screenOffer({ ...DEFAULT_SETTINGS, minAttestation: "B" }, { ...clean, attestation: "A" }).ok).toBe(
      true,
    );
    expect(screenOffer({ ...DEFAULT_SETTINGS, minAttestation: "B" }, { ...clean, attestation: "B" }).ok).toBe(
      true,
    );
  });
});

describe("consent status", () => {
  const record = { callerHash: "ph_a", expiresAt: "2026-01-02T00:00:00Z" };
  const now = Date.parse("2026-01-01T00:00:00Z");
  it.each([
    [undefined, undefined, "none"],
    [undefined, "cert", "unknown"],
    [{ ...record, callerHash: "ph_b" }, "cert", "other_caller"],
    [record, "cert", "valid"],
    [{ ...record, expiresAt: "2026-01-01T00:00:00Z" }, "cert", "expired"],
  ] as const)("%j %s → %s", (rec, cert, status) => {
    expect(consentStatus(rec, cert, "ph_a", now)).toBe(status);
  });
});
