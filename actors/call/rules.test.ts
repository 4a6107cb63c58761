import { describe, expect, it } from "vitest";
import type { CallState, CallStatus } from "./call-api.ts";
import {
  billingFor,
  ERASED_CALLER,
  failedBilling,
  nextStatus,
  sameOffer,
  shouldReroute,
  TERMINAL,
  TRANSITIONS,
  withoutCaller,
} from "./rules.ts";
import { testCall } from "./test-call.ts";

const call = (status: CallStatus, appliedEvents: Record<string, CallStatus> = {}): CallState =>
  testCall(status, { appliedEvents });

describe("call lifecycle", () => {
  it.each([
    ["routed", "ringing", "ringing"],
    ["routed", "connected", "connected"],
    ["routed", "failed", "failed"],
    ["ringing", "connected", "connected"],
    ["ringing", "failed", "failed"],
    ["connected", "failed", "failed"],
  ] as const)("%s + %s → %s", (from, type, to) => {
    expect(nextStatus(call(from), { eventId: "e1", type })).toEqual({
      ok: true,
      value: { status: to, replay: false },
    });
  });

  it("completes a connected call with its duration", () => {
    const r = nextStatus(call("connected"), { eventId: "e1", type: "completed", durationSec: 30 });
    expect(r).toEqual({ ok: true, value: { status: "completed", replay: false } });
  });

  it("refuses a completion without a valid duration", () => {
    for (const durationSec of [undefined, -1, 1.5]) {
      const r = nextStatus(call("connected"), { eventId: "e1", type: "completed", durationSec });
      expect(r).toMatchObject({ ok: false, reason: { code: "illegal_transition" } });
    }
  });

  it.each([
    ["routed", "completed"],
    ["ringing", "ringing"],
    ["ringing", "completed"],
    ["connected", "ringing"],
    ["connected", "connected"],
  ] as const)("refuses %s + %s", (from, type) => {
    const r = nextStatus(call(from), { eventId: "e1", type, durationSec: 10 });
    expect(r).toMatchObject({ ok: false, reason: { code: "illegal_transition" } });
  });

  it("accepts nothing once a call is final", () => {
    for (const status of TERMINAL) {
      expect(Object.keys(TRANSITIONS[status])).toEqual([]);
      const r = nextStatus(call(status), { eventId: "e1", type: "failed" });
      expect(r).toMatchObject({ ok: false, reason: { code: "illegal_transition" } });
    }
  });

  it("replays an event id it has applied, whatever the state now", () => {
    const r = nextStatus(call("completed", { e1: "connected" }), { eventId: "e1", type: "connected" });
    expect(r).toEqual({ ok: true, value: { status: "connected", replay: true } });
  });
});

describe("billing", () => {
  it("bills a call that reaches the minimum exactly", () => {
    expect(billingFor(90, 90, 25_000_000, 17_500_000)).toEqual({
      billable: true,
      chargedMicros: 25_000_000,
      payoutMicros: 17_500_000,
      marginMicros: 7_500_000,
    });
  });

  it("does not bill a call one second short", () => {
    expect(billingFor(89, 90, 25_000_000, 17_500_000)).toMatchObject({
      billable: false,
      chargedMicros: 0,
      payoutMicros: 0,
    });
  });

  it("names why a failed call is not billed, in words a partner can read", () => {
    const billing = failedBilling();
    expect(billing).toMatchObject({ billable: false, chargedMicros: 0, payoutMicros: 0, marginMicros: 0 });
    expect(billing.reason).toBe("the call failed; a failed call is never billed");
  });

  it("never pays the seller more than the buyer is charged", () => {
    expect(billingFor(120, 60, 10_000_000, 12_000_000)).toMatchObject({
      payoutMicros: 10_000_000,
      marginMicros: 0,
    });
  });
});

describe("revenue recovery (re-routing)", () => {
  const routed = (status: CallStatus, attempts = 1): CallState => ({
    ...call(status),
    reroute: { max: 2, belowSec: 10, routingTtlSec: 60 },
    attempts: Array.from({ length: attempts }, (_, i) => ({
      buyerId: `byr_${i}`,
      campaignId: `bcp_${i}`,
      priceMicros: 1,
    })),
  });
  const unbilled = billingFor(4, 60, 1_000_000, 0);

  it.each(["no_answer", "busy", undefined])("re-routes a call the buyer never answered (%s)", (reason) => {
    expect(shouldReroute(routed("routed"), { eventId: "e", type: "failed", reason }, undefined)).toBe(true);
    expect(shouldReroute(routed("ringing"), { eventId: "e", type: "failed", reason }, undefined)).toBe(true);
  });

  it("does not re-route other failures, or a failure after the buyer answered", () => {
    expect(
      shouldReroute(routed("ringing"), { eventId: "e", type: "failed", reason: "invalid_number" }, undefined),
    ).toBe(false);
    expect(
      shouldReroute(routed("connected"), { eventId: "e", type: "failed", reason: "no_answer" }, undefined),
    ).toBe(false);
  });

  it("re-routes when the buyer hangs up before the threshold and the call was not billable", () => {
    const early = { eventId: "e", type: "completed" as const, durationSec: 4, hangupBy: "buyer" as const };
    expect(shouldReroute(routed("connected"), early, unbilled)).toBe(true);
    expect(shouldReroute(routed("connected"), { ...early, hangupBy: "caller" }, unbilled)).toBe(false);
    expect(shouldReroute(routed("connected"), { ...early, durationSec: 10 }, billingFor(10, 60, 1, 0))).toBe(
      false,
    );
    const billed = billingFor(4, 0, 1_000_000, 0);
    expect(shouldReroute(routed("connected"), early, billed)).toBe(false);
  });

  it("stops at the seller campaign's limit", () => {
    const failed = { eventId: "e", type: "failed" as const, reason: "no_answer" };
    expect(shouldReroute(routed("routed", 2), failed, undefined)).toBe(true);
    expect(shouldReroute(routed("routed", 3), failed, undefined)).toBe(false);
    expect(shouldReroute({ ...routed("routed"), reroute: undefined }, failed, undefined)).toBe(false);
  });
});

describe("keyed request hashes and erasure", () => {
  it("a repeated offer matches the keyed hash; a plain SHA-256 only on documents stored before keyed hashes", () => {
    const cmd = { requestHash: "rh1_abc", legacyRequestHash: "0f0f" };
    expect(sameOffer("rh1_abc", cmd)).toBe(true);
    expect(sameOffer("0f0f", cmd)).toBe(true);
    expect(sameOffer("rh1_other", cmd)).toBe(false);
    expect(sameOffer("rh1_other", { requestHash: "rh1_x", legacyRequestHash: "rh1_other" })).toBe(false);
    expect(sameOffer("0f0f", { requestHash: "rh1_abc" })).toBe(false);
    // After erasure nothing is left to compare: the seller's own key answers the stored decision.
    expect(sameOffer(ERASED_CALLER, cmd)).toBe(true);
  });

  it("forgetting the caller drops its keyed hash, ciphertext and a plain request hash; keeps the rest", () => {
    const s = {
      ...call("completed"),
      requestHash: "deadbeef",
      caller: { hash: "ph_1", ciphertext: "c", areaCode: "786", state: "FL" },
    };
    const forgotten = withoutCaller(s);
    expect(forgotten?.caller).toEqual({ hash: ERASED_CALLER, areaCode: "786", state: "FL" });
    expect(forgotten?.requestHash).toBe(ERASED_CALLER);
    expect(forgotten?.status).toBe("completed");
    // A keyed request hash goes too: it was computed over the body that held the number.
    expect(withoutCaller({ ...s, requestHash: "rh1_k" })?.requestHash).toBe(ERASED_CALLER);
    expect(withoutCaller(forgotten as CallState)).toBeNull();
    expect(withoutCaller({ ...call("rejected"), requestHash: "rh1_k" })?.requestHash).toBe(ERASED_CALLER);
    expect(withoutCaller({ ...call("rejected"), requestHash: ERASED_CALLER })).toBeNull();
  });
});
