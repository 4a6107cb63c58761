// Carrier parameters to exchange facts: the STIR/SHAKEN verdict, the caller's place, and callbacks to
// lifecycle events with ids shared by the leg's callback and the Dial's outcome.
import { describe, expect, it } from "vitest";
import { attestationOf, callerPlace, dialOutcomeEvent, legStatusEvent } from "./carrier-params.ts";

describe("attestation from the carrier", () => {
  it.each([
    ["TN-Validation-Passed-A", "A"],
    ["TN-Validation-Passed-B", "B"],
    ["TN-Validation-Passed-C", "C"],
    ["TN-Validation-Passed", "A"],
    ["TN-Validation-Failed", undefined],
    ["TN-Validation-Failed-A", undefined],
    ["No-TN-Validation", undefined],
    ["", undefined],
  ])("Twilio StirVerstat %s → %s", (verstat, want) => {
    expect(attestationOf("twilio", { StirVerstat: verstat })).toBe(want);
  });

  it("trusts Telnyx's ShakenStirAttestation only when validated", () => {
    expect(attestationOf("telnyx", { ShakenStirAttestation: "B", ShakenStirValidated: "true" })).toBe("B");
    expect(
      attestationOf("telnyx", { ShakenStirAttestation: "A", ShakenStirValidated: "false" }),
    ).toBeUndefined();
    expect(
      attestationOf("telnyx", { ShakenStirAttestation: "Z", ShakenStirValidated: "true" }),
    ).toBeUndefined();
    expect(
      attestationOf("twilio", { ShakenStirAttestation: "A", ShakenStirValidated: "true" }),
    ).toBeUndefined();
  });

  it("keeps the caller's state and ZIP only when well formed", () => {
    expect(callerPlace({ FromState: "FL", FromZip: "33101" })).toEqual({
      callerState: "FL",
      callerZip: "33101",
    });
    expect(callerPlace({ FromState: "Florida", FromZip: "331" })).toEqual({});
  });
});

describe("buyer leg callbacks", () => {
  const leg = (p: Record<string, string>) => legStatusEvent("twilio", { CallSid: "CA9", ...p }, "bid1");

  it("maps ringing, in-progress and completed, with the carrier's duration", () => {
    expect(leg({ CallStatus: "ringing" })).toMatchObject({ eventId: "twilio:CA9:ringing", type: "ringing" });
    expect(leg({ CallStatus: "in-progress" })).toMatchObject({
      eventId: "twilio:CA9:connected",
      type: "connected",
    });
    expect(leg({ CallStatus: "completed", CallDuration: "95" })).toEqual({
      eventId: "twilio:CA9:completed",
      type: "completed",
      durationSec: 95,
      source: "carrier",
      provider: "twilio",
      bidId: "bid1",
    });
  });

  it("maps unanswered ends to failed with a reason, and ignores what the call does not record", () => {
    expect(leg({ CallStatus: "busy" })).toMatchObject({ type: "failed", reason: "busy" });
    expect(leg({ CallStatus: "no-answer" })).toMatchObject({ type: "failed", reason: "no_answer" });
    expect(leg({ CallStatus: "failed" })).toMatchObject({ type: "failed", reason: "unreachable" });
    expect(leg({ CallStatus: "canceled" })).toMatchObject({ type: "failed", reason: "canceled" });
    expect(leg({ CallStatus: "initiated" })).toBeUndefined();
    expect(leg({ CallStatus: "completed" })).toBeUndefined(); // no duration: nothing to bill on
    expect(leg({ CallStatus: "completed", CallDuration: "-1" })).toBeUndefined();
  });
});

describe("the Dial's outcome", () => {
  const dial = (p: Record<string, string>) =>
    dialOutcomeEvent("twilio", { CallSid: "CAparent", DialCallSid: "CA9", ...p }, "bid1");

  it("shares the leg callback's event id, so whichever arrives first counts once", () => {
    const fromDial = dial({ DialCallStatus: "completed", DialCallDuration: "95", CallStatus: "in-progress" });
    const fromLeg = legStatusEvent(
      "twilio",
      { CallSid: "CA9", CallStatus: "completed", CallDuration: "95" },
      "bid1",
    );
    expect(fromDial?.eventId).toBe(fromLeg?.eventId);
    expect(dial({ DialCallStatus: "no-answer", CallStatus: "in-progress" })?.eventId).toBe(
      legStatusEvent("twilio", { CallSid: "CA9", CallStatus: "no-answer" }, "bid1")?.eventId,
    );
  });

  it("reads who hung up: the caller's leg still up means the buyer did", () => {
    expect(
      dial({ DialCallStatus: "completed", DialCallDuration: "9", CallStatus: "in-progress" })?.hangupBy,
    ).toBe("buyer");
    expect(
      dial({ DialCallStatus: "completed", DialCallDuration: "9", CallStatus: "completed" })?.hangupBy,
    ).toBe("caller");
    const telnyx = dialOutcomeEvent(
      "telnyx",
      {
        DialCallSid: "v3:x",
        DialCallStatus: "completed",
        DialCallDuration: "9",
        HangupSource: "callee",
        CallStatus: "completed",
      },
      "b",
    );
    expect(telnyx?.hangupBy).toBe("buyer");
  });

  it("never re-routes when the caller left while the buyer rang", () => {
    expect(dial({ DialCallStatus: "no-answer", CallStatus: "completed" })?.reason).toBe("canceled");
    expect(dial({ DialCallStatus: "busy", CallStatus: "in-progress" })?.reason).toBe("busy");
  });

  it("names a leg the carrier did not identify by the caller's call and the routing", () => {
    const e = dialOutcomeEvent(
      "twilio",
      { CallSid: "CAparent", DialCallStatus: "failed", CallStatus: "in-progress" },
      "bid1",
    );
    expect(e).toMatchObject({ eventId: "twilio:CAparent:bid1:failed", reason: "unreachable" });
    expect(dialOutcomeEvent("twilio", { CallSid: "CAp", DialCallStatus: "completed" }, "b")).toBeUndefined();
  });
});
