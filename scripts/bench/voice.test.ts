import { describe, expect, it } from "vitest";
import { verifyTwilio } from "../../api/telephony/signatures.ts";
import type { LoadResult } from "./driver.ts";
import { pooled, voiceDialed, voiceOk, voiceRequest } from "./voice.ts";

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

  it("pools alternating rounds: counts summed, percentiles over every sample", () => {
    const run = (samples: number[], seconds: number, errors = 0): LoadResult => ({
      requests: samples.length,
      errors,
      seconds,
      rps: 0,
      okRps: 0,
      p50Ms: 0,
      p95Ms: 0,
      p99Ms: 0,
      maxMs: 0,
      hits: samples.length - errors,
      samples,
    });
    const p = pooled([run([1, 2, 3], 1), run([10, 20, 30, 40, 50, 60, 70], 1, 1)]);
    expect(p).toMatchObject({ requests: 10, errors: 1, hits: 9, seconds: 2, rps: 5, okRps: 4.5 });
    expect(p).toMatchObject({ p50Ms: 20, p99Ms: 70, maxMs: 70 });
  });
});
