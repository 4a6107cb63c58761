// The TwiML of call media: recording attributes, the whisper with and without press-1, the accept answer.
import { describe, expect, it } from "vitest";
import {
  acceptTwiml,
  recordingDialAttributes,
  whisperTargetAttributes,
  whisperTwiml,
} from "./media-twiml.ts";

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>';

describe("media TwiML", () => {
  it("records from answer on two channels and reports the completed recording to the callback", () => {
    expect(recordingDialAttributes("https://x.example/v1/telephony/twilio/calls/c1/recording")).toEqual({
      record: "record-from-answer-dual",
      recordingStatusCallback: "https://x.example/v1/telephony/twilio/calls/c1/recording",
      recordingStatusCallbackMethod: "POST",
      recordingStatusCallbackEvent: "completed",
    });
    expect(whisperTargetAttributes("https://x.example/w")).toEqual({
      url: "https://x.example/w",
      method: "POST",
    });
  });

  it("whispers the message alone when no acceptance is required (then the carrier bridges)", () => {
    expect(whisperTwiml("Lead from DCE")).toBe(`${HEAD}<Response><Say>Lead from DCE</Say></Response>`);
  });

  it("asks for one digit posted to the accept URL; silence is redirected there too (to hang up)", () => {
    const xml = whisperTwiml("Lead & more <now>", "https://x.example/accept?buyerId=byr_1&x=2");
    expect(xml).toBe(
      `${HEAD}<Response><Gather numDigits="1" action="https://x.example/accept?buyerId=byr_1&amp;x=2" method="POST" timeout="8">` +
        "<Say>Lead &amp; more &lt;now&gt;</Say><Say>Press 1 to accept this call.</Say></Gather>" +
        '<Redirect method="POST">https://x.example/accept?buyerId=byr_1&amp;x=2</Redirect></Response>',
    );
  });

  it("bridges on acceptance with an empty answer, else hangs up", () => {
    expect(acceptTwiml(true)).toBe(`${HEAD}<Response/>`);
    expect(acceptTwiml(false)).toBe(`${HEAD}<Response><Hangup/></Response>`);
  });
});
