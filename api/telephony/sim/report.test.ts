import { describe, expect, it } from "vitest";
import { describeRun } from "./report.ts";
import type { SimResult } from "./types.ts";

describe("describeRun", () => {
  it("tells each request with its second and answer, then the legs and the end", () => {
    const r: SimResult = {
      callSid: "CA1",
      voiceAnswers: [],
      said: ["Hello."],
      legs: [
        {
          sid: "CA2",
          to: "+13059870000",
          bridged: true,
          status: "completed",
          events: [],
          answeredAtSec: 8,
          endedAtSec: 133,
          durationSec: 125,
          hangupBy: "caller",
        },
      ],
      requests: [
        {
          kind: "voice",
          url: "http://127.0.0.1:8080/v1/telephony/twilio/voice",
          method: "POST",
          params: {},
          status: 200,
          body: '<?xml version="1.0"?>\n<Response>\n  <Dial>+13059870000</Dial>\n</Response>',
          atSec: 0,
        },
        {
          kind: "status",
          url: "http://127.0.0.1:8080/v1/telephony/twilio/calls/call_x/status?bid=b",
          method: "POST",
          params: { CallStatus: "completed", CallDuration: "125" },
          status: 204,
          body: "",
          atSec: 133,
          event: "completed",
        },
      ],
      endedAtSec: 133,
      end: "caller",
      errors: [],
    };
    expect(describeRun(r)).toEqual([
      "call CA1",
      "  t+0s     voice                      POST /v1/telephony/twilio/voice → 200",
      "           <Response> <Dial>+13059870000</Dial> </Response>",
      "  t+133s   status completed 125s      POST /v1/telephony/twilio/calls/call_x/status → 204",
      '  said: "Hello."',
      "  leg +13059870000: completed, answered at 8s, 125s on the buyer's leg, hung up by caller",
      "  ended at 133s: caller",
    ]);
  });
});
