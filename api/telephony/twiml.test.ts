// TwiML building: the Dial with its callbacks, <Number> or <Sip>, extra attributes, and escaping.
import { describe, expect, it } from "vitest";
import { twiml } from "./twiml.ts";
import { exampleDialOptions } from "./twiml-fixtures.ts";

describe("twiml", () => {
  it("builds a Dial to a number with the buyer leg's status callbacks", () => {
    const xml = twiml([{ say: "Recorded." }, { dial: exampleDialOptions() }]);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Recorded.</Say>' +
        '<Dial action="https://x.test/v1/telephony/twilio/calls/call_1/dial?bid=b1&amp;x=1" method="POST" timeout="20" timeLimit="3550" answerOnBridge="true">' +
        '<Number statusCallbackEvent="initiated ringing answered completed" statusCallback="https://x.test/v1/telephony/twilio/calls/call_1/status?bid=b1" statusCallbackMethod="POST">+13055550123</Number>' +
        "</Dial></Response>",
    );
  });

  it("dials a sip: destination with <Sip>", () => {
    const xml = twiml([{ dial: { ...exampleDialOptions(), destination: { sip: "sip:agent@buyer.test" } } }]);
    expect(xml).toContain(">sip:agent@buyer.test</Sip>");
    expect(xml).not.toContain("<Number");
  });

  it("takes more attributes for the Dial and its target (recording, whisper) without other changes", () => {
    const xml = twiml([
      {
        dial: {
          ...exampleDialOptions(),
          dialAttributes: { record: "record-from-answer-dual", recordingStatusCallback: "https://x.test/r" },
          targetAttributes: { url: "https://x.test/whisper" },
        },
      },
    ]);
    expect(xml).toContain('record="record-from-answer-dual" recordingStatusCallback="https://x.test/r"');
    expect(xml).toContain('url="https://x.test/whisper">+13055550123</Number>');
  });

  it("escapes text and ends with a hang-up or a forward", () => {
    expect(twiml([{ say: "Tom & <Jerry>" }, { hangup: true }])).toContain(
      "<Say>Tom &amp; &lt;Jerry&gt;</Say><Hangup/>",
    );
    expect(twiml([{ forward: { number: "+13125550100", timeoutSec: 30 } }])).toContain(
      '<Dial timeout="30"><Number>+13125550100</Number></Dial>',
    );
  });
});
