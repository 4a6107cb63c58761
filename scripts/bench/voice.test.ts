import { describe, expect, it } from "vitest";
import { verifyTwilio } from "../../api/telephony/signatures.ts";
import { voiceDialed, voiceOk, voiceRequest } from "./voice.ts";

describe("the bench's voice webhook", () => {
  it("is a fresh call each time, signed as Twilio signs over the public URL", () => {
    const a = voiceRequest("http://127.0.0.1:8080", "+19548720000", "tok", "run1", 1);
    const b = voiceRequest("http://127.0.0.1:8080", "+19548720000", "tok", "run1", 2);
    const params = Object.fromEntries(new URLSearchParams(a.body));
    expect(params).toMatchObject({ To: "+19548720000", CallStatus: "ringing", FromState: "FL" });
    expect(params.CallSid).not.toBe(Object.fromEntries(new URLSearchParams(b.body)).CallSid);
    const url = `http://127.0.0.1:8080${a.path}`;
    expect(verifyTwilio(url, params, "tok", a.headers!["x-twilio-signature"])).toBeNull();
    expect(verifyTwilio(url, params, "other", a.headers!["x-twilio-signature"])).toBe("mismatch");
  });

  it("counts TwiML as answered and a Dial as dialed", () => {
    expect(voiceOk(200, '<?xml version="1.0"?><Response><Say>x</Say><Hangup/></Response>')).toBe(true);
    expect(voiceDialed(200, "<Response><Say>x</Say><Hangup/></Response>")).toBe(false);
    expect(voiceDialed(200, "<Response><Dial><Number>+1</Number></Dial></Response>")).toBe(true);
    expect(voiceOk(403, '{"code":"carrier_signature_invalid"}')).toBe(false);
  });
});
