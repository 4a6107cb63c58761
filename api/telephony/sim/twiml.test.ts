import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTwiml, TwimlError } from "./twiml.ts";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");
const DOC = "http://exchange.test/v1/telephony/twilio/voice";

describe("parseTwiml", () => {
  it("reads a disclosure and a Dial with its buyer-leg callbacks, in order, numbers kept as text", () => {
    const verbs = parseTwiml(fixture("dial.xml"), DOC);
    expect(verbs.map((v) => v.verb)).toEqual(["Say", "Dial"]);
    expect(verbs[0]).toEqual({ verb: "Say", text: "This call may be recorded for quality assurance." });
    expect(verbs[1]).toMatchObject({
      action: "http://exchange.test/v1/telephony/twilio/calls/call_1/dial",
      method: "POST",
      timeoutSec: 20,
      timeLimitSec: 3600,
      answerOnBridge: true,
      callerId: "+13059871234",
      record: undefined,
      targets: [
        {
          kind: "number",
          value: "+13059870001",
          statusCallback: "http://exchange.test/v1/telephony/twilio/calls/call_1/legs/1/status",
          statusCallbackEvents: ["initiated", "ringing", "answered", "completed"],
        },
      ],
    });
  });

  it("fills Twilio's defaults and resolves relative URLs against the document's URL", () => {
    const [dial] = parseTwiml(
      fixture("completed-only.xml"),
      "http://exchange.test/v1/telephony/twilio/voice",
    );
    expect(dial).toMatchObject({
      verb: "Dial",
      action: "http://exchange.test/v1/telephony/twilio/calls/call_1/dial",
      method: "POST",
      timeoutSec: 30,
      timeLimitSec: 14_400,
      answerOnBridge: false,
      targets: [
        {
          statusCallback: "http://exchange.test/v1/telephony/twilio/legs/1/status",
          statusCallbackEvents: ["completed"],
          statusCallbackMethod: "POST",
        },
      ],
    });
  });

  it("reads a Sip target, a bare-number Dial, recording attributes, Gather, Redirect and Hangup", () => {
    expect(parseTwiml(fixture("reroute.xml"), DOC)[0]).toMatchObject({
      action: "http://exchange.test/v1/telephony/twilio/calls/call_1/dial?attempt=2",
      targets: [{ kind: "sip", value: "sip:agent@buyer2.example.com" }],
    });
    expect(parseTwiml(fixture("forward.xml"), DOC)).toMatchObject([
      {
        verb: "Dial",
        action: undefined,
        timeoutSec: 25,
        targets: [{ kind: "number", value: "+13059879999" }],
      },
      { verb: "Say", text: "Goodbye." },
    ]);
    expect(parseTwiml(fixture("record.xml"), DOC)[0]).toMatchObject({
      record: "record-from-answer-dual",
      recordingStatusCallback: "http://exchange.test/recording",
      recordingStatusCallbackEvents: ["completed"],
    });
    expect(parseTwiml(fixture("press1.xml"), DOC)).toEqual([
      {
        verb: "Gather",
        action: "http://exchange.test/accept",
        method: "POST",
        numDigits: 1,
        timeoutSec: 8,
        finishOnKey: "#",
        prompts: [{ verb: "Say", text: "Call from the exchange. Press 1 to accept." }],
      },
      { verb: "Hangup" },
    ]);
    expect(parseTwiml(fixture("fallback.xml"), DOC)[1]).toEqual({
      verb: "Redirect",
      url: "http://exchange.test/v1/telephony/twilio/calls/call_1/next",
      method: "POST",
    });
    expect(parseTwiml(fixture("hangup.xml"), DOC)).toEqual([{ verb: "Hangup" }]);
  });

  it("refuses what a carrier could not run", () => {
    expect(() => parseTwiml("not xml at all <", DOC)).toThrow(TwimlError);
    expect(() => parseTwiml("<Html><Body/></Html>", DOC)).toThrow(/no <Response> root/);
    expect(() => parseTwiml("<Response><Conference/></Response>", DOC)).toThrow(/unknown verb <Conference>/);
    expect(() => parseTwiml("<Response><Dial/></Response>", DOC)).toThrow(/nothing to dial/);
    expect(() => parseTwiml('<Response><Dial timeout="soon">+13059870001</Dial></Response>', DOC)).toThrow(
      /timeout="soon"/,
    );
  });
});
