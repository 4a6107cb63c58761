// Dial options shared by the TwiML and answer tests.
import type { DialOptions } from "./twiml.ts";

export function exampleDialOptions(): DialOptions {
  return {
    action: "https://x.test/v1/telephony/twilio/calls/call_1/dial?bid=b1&x=1",
    statusCallback: "https://x.test/v1/telephony/twilio/calls/call_1/status?bid=b1",
    timeoutSec: 20,
    timeLimitSec: 3550,
    destination: { number: "+13055550123" },
  };
}
