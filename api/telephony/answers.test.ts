// The exchange's answers: callback URLs, the time limit inside the call's hold, the disclosure, and
// every fallback ending the call (never an empty answer).
import { describe, expect, it } from "vitest";
import type { CallDecision } from "../../actors/call/call-api.ts";
import {
  answerKind,
  CALLBACK_MARGIN_SEC,
  callbackUrl,
  DEFAULT_FALLBACK_MESSAGE,
  dialOptions,
  fallbackAnswer,
  hangupAnswer,
  routedAnswer,
  timeLimitSec,
  withConversionKey,
} from "./answers.ts";

const decision: CallDecision = {
  callId: "call_1",
  status: "routed",
  bidId: "bid 1",
  buyerId: "byr_1",
  destination: { number: "+13055550123" },
  recordingDisclosure: true,
};
const ctx = {
  publicUrl: "https://dce.example",
  provider: "telnyx" as const,
  callId: "call_1",
  defaultTimeoutSec: 20,
};

describe("carrier answers", () => {
  it("points every callback under the public URL, naming the call and the routing", () => {
    expect(callbackUrl("https://dce.example", "twilio", "call_1", "status", "bid 1")).toBe(
      "https://dce.example/v1/telephony/twilio/calls/call_1/status?bid=bid%201",
    );
    const o = dialOptions(ctx, decision);
    expect(o.action).toBe("https://dce.example/v1/telephony/telnyx/calls/call_1/dial?bid=bid%201");
    expect(o.statusCallback).toBe("https://dce.example/v1/telephony/telnyx/calls/call_1/status?bid=bid%201");
  });

  it("ends the bridged call before the call's hold does, so the billed completion still counts", () => {
    expect(timeLimitSec(3600, 20, "twilio")).toBe(3600 - 20 - CALLBACK_MARGIN_SEC);
    expect(timeLimitSec(10, 20, "twilio")).toBe(1);
    // Within what each carrier accepts: at most 4 h; Telnyx at least 60 s.
    expect(timeLimitSec(15_000, 20, "twilio")).toBe(14_400);
    expect(timeLimitSec(10, 20, "telnyx")).toBe(60);
    const o = dialOptions({ ...ctx, campaign: { maxCallDurationSec: 600, dialTimeoutSec: 45 } }, decision);
    expect(o).toMatchObject({ timeoutSec: 45, timeLimitSec: 600 - 45 - CALLBACK_MARGIN_SEC });
    expect(dialOptions(ctx, decision).timeoutSec).toBe(20);
    expect(dialOptions({ ...ctx, defaultTimeoutSec: 600 }, decision).timeoutSec).toBe(120);
  });

  it("says the disclosure when the routing requires it, but not again on a re-route", () => {
    expect(routedAnswer(ctx, decision)).toMatch(/<Say>[^<]*recorded[^<]*<\/Say><Dial /);
    expect(routedAnswer(ctx, decision, true)).not.toContain("<Say>");
    expect(routedAnswer(ctx, { ...decision, recordingDisclosure: false })).not.toContain("<Say>");
  });

  it("tells a Dial, a bare hang-up and a fallback apart (the requests counter's outcome)", () => {
    expect(answerKind(routedAnswer(ctx, decision))).toBe("dial");
    expect(answerKind(hangupAnswer())).toBe("hangup");
    expect(answerKind(fallbackAnswer(undefined))).toBe("fallback");
    expect(answerKind(fallbackAnswer({ action: "forward", number: "+13125550100" }))).toBe("fallback");
  });

  it("answers every fallback with something that ends or forwards the call", () => {
    expect(fallbackAnswer(undefined)).toContain(`<Say>${DEFAULT_FALLBACK_MESSAGE}</Say><Hangup/>`);
    expect(fallbackAnswer({ action: "message", message: "Closed." })).toContain(
      "<Say>Closed.</Say><Hangup/>",
    );
    expect(fallbackAnswer({ action: "hangup" })).toContain("<Response><Hangup/></Response>");
    expect(fallbackAnswer({ action: "forward", number: "+13125550100" })).toContain(
      "<Number>+13125550100</Number></Dial><Hangup/>",
    );
  });
});

describe("a conversion-billed call's key on the buyer leg", () => {
  it("rides a SIP destination as a custom header; a number cannot carry it", () => {
    const sip = dialOptions(ctx, {
      ...decision,
      destination: { sip: "sip:agent@pbx.example" },
      conversionKey: "cvk_a/b",
    });
    expect(sip.destination.sip).toBe("sip:agent@pbx.example?X-DCE-Conversion-Key=cvk_a%2Fb");
    expect(withConversionKey({ sip: "sip:a@b?x=1" }, "cvk_k").sip).toBe(
      "sip:a@b?x=1&X-DCE-Conversion-Key=cvk_k",
    );
    expect(dialOptions(ctx, { ...decision, conversionKey: "cvk_k" }).destination).toEqual({
      number: "+13055550123",
    });
    expect(withConversionKey({ sip: "sip:a@b" }, undefined)).toEqual({ sip: "sip:a@b" });
  });
});
