// The carrier edge through the real stack, its edges: fallbacks, the carrier's STIR/SHAKEN verdict,
// seller events refused, bad signatures (403, audited, nothing moved), and Telnyx's Ed25519 signature.
import { describe, expect, it } from "vitest";
import { offerCallId } from "../offer.ts";
import { signTwilio } from "../telephony/sign.ts";
import { attr, telnyxPost, text, twilioPost, voiceUrl } from "./carrier.ts";
import { callIdOf, getCall, leg, market, refusalsAudited, voiceParams } from "./carrier-market.ts";
import { call, randomCaller, uniq } from "./client.ts";
import { stackSecret } from "./stack.ts";

describe("carrier edge: answers and refusals (Twilio)", () => {
  it("answers the seller campaign's fallback when no buyer bids, and when the last attempt is busy", async () => {
    const empty = await market(0, { carrierFallback: { action: "forward", number: "+13125550100" } });
    const none = await twilioPost(voiceUrl("twilio"), voiceParams(empty.number));
    expect(none.status).toBe(200);
    expect(text(none.text, "Number")).toBe("+13125550100");

    const { number } = await market(1, { reroute: { max: 0, belowSec: 0 } });
    const params = voiceParams(number);
    const answer = await twilioPost(voiceUrl("twilio"), params);
    const busy = await twilioPost(attr(answer.text, "Dial", "action") ?? "", {
      CallSid: params.CallSid,
      CallStatus: "in-progress",
      DialCallStatus: "busy",
    });
    expect(text(busy.text, "Say")).toMatch(/no one is available/);
    expect(busy.text).toContain("<Hangup/>");
    expect((await getCall(callIdOf(answer.text))).status).toBe("failed");
  });

  it("answers the fallback, never an error, when the offer cannot be made", async () => {
    const { number } = await market(1, { carrierFallback: { action: "message", message: "Try later." } });
    const params = voiceParams(number);
    expect(text((await twilioPost(voiceUrl("twilio"), params)).text, "Number")).toBe("+13059870000");
    // The same carrier call, now with other number tags: the offer's idempotency conflicts.
    const patched = await call("PATCH", `/v1/numbers/${encodeURIComponent(number)}`, {
      body: { tags: ["other"] },
    });
    expect(patched.status).toBe(200);
    const retried = await twilioPost(voiceUrl("twilio"), params);
    expect(retried.status).toBe(200);
    expect(retried.text).toContain("<Say>Try later.</Say><Hangup/>");
    // A call to a number nobody holds: the default message.
    const unknown = await twilioPost(voiceUrl("twilio"), voiceParams(randomCaller("312")));
    expect(text(unknown.text, "Say")).toMatch(/no one is available/);
  });

  it("uses the carrier's STIR/SHAKEN verdict, not a claim: a failed verification meets the campaign minimum", async () => {
    const { number } = await market(1, { minAttestation: "B", carrierFallback: { action: "hangup" } });
    const failed = await twilioPost(voiceUrl("twilio"), {
      ...voiceParams(number),
      StirVerstat: "TN-Validation-Failed",
    });
    expect(failed.text).toContain("<Hangup/>");
    expect(failed.text).not.toContain("<Dial");
    const passed = await twilioPost(voiceUrl("twilio"), voiceParams(number));
    expect(text(passed.text, "Number")).toBe("+13059870000");
  });

  it("refuses lifecycle events from the seller's key for a carrier call", async () => {
    const { seller, number } = await market(1);
    const answer = await twilioPost(voiceUrl("twilio"), voiceParams(number));
    const res = await call("POST", `/v1/calls/${callIdOf(answer.text)}/events`, {
      key: seller.key,
      body: { type: "completed", durationSec: 600 },
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("carrier_managed_call");
    expect((await getCall(callIdOf(answer.text))).status).toBe("routed");
  });

  it("refuses an unsigned or wrongly signed request with 403, audits it, and moves nothing", async () => {
    const { seller, number } = await market(1);
    const params = voiceParams(number);
    const expectedId = offerCallId(seller.sellerId, `twilio:${params.CallSid}`);
    const unsigned = await twilioPost(voiceUrl("twilio"), params, { signature: null });
    expect(unsigned.status).toBe(403);
    expect(unsigned.contentType).toMatch(/problem\+json/);
    expect(JSON.parse(unsigned.text)).toMatchObject({ code: "carrier_signature_invalid" });
    const forged = await twilioPost(voiceUrl("twilio"), params, { token: "not-the-token" });
    expect(forged.status).toBe(403);
    const tampered = await twilioPost(
      voiceUrl("twilio"),
      { ...params, From: randomCaller() },
      {
        signature: signTwilio(voiceUrl("twilio"), params, stackSecret("DCE_TWILIO_AUTH_TOKEN")),
      },
    );
    expect(tampered.status).toBe(403);
    // Nothing was offered: no call under the id the carrier's call id names.
    expect((await call("GET", `/v1/calls/${expectedId}`)).status).toBe(404);
    const answer = await twilioPost(voiceUrl("twilio"), params);
    const callId = callIdOf(answer.text);
    expect(callId).toBe(expectedId);
    // A forged callback moves nothing either.
    const b = leg(answer.text);
    const bad = await twilioPost(
      b.url,
      { CallSid: b.legSid, CallStatus: "completed", CallDuration: "999" },
      {
        token: "not-the-token",
      },
    );
    expect(bad.status).toBe(403);
    expect((await getCall(callId)).status).toBe("routed");
    // Each refusal is in the audit chain: the webhook's under the carrier's call id, the callback's
    // under the call it named.
    expect(await refusalsAudited(`telephony_twilio_${params.CallSid}`)).toBe(3);
    expect(await refusalsAudited(callId)).toBe(1);
  });
});

describe("carrier edge (Telnyx TeXML)", () => {
  it("verifies the Ed25519 signature and its timestamp, then dials the winner and bills the leg's duration", async () => {
    const { number } = await market(1);
    const params = {
      ...voiceParams(number, `v3:${uniq()}`),
      StirVerstat: "",
      ShakenStirAttestation: "A",
      ShakenStirValidated: "true",
    };
    const stale = await telnyxPost(voiceUrl("telnyx"), params, {
      timestampSec: Math.floor(Date.now() / 1000) - 600,
    });
    expect(stale.status).toBe(403);
    expect(JSON.parse(stale.text)).toMatchObject({ code: "carrier_signature_invalid" });
    const answer = await telnyxPost(voiceUrl("telnyx"), params);
    expect(answer.status).toBe(200);
    const action = attr(answer.text, "Dial", "action") ?? "";
    expect(action).toContain("/v1/telephony/telnyx/calls/");
    const callId = callIdOf(answer.text);
    const status = attr(answer.text, "Number", "statusCallback") ?? "";
    const legSid = `v3:${uniq()}`;
    await telnyxPost(status, { CallSid: legSid, CallStatus: "in-progress" });
    await telnyxPost(status, { CallSid: legSid, CallStatus: "completed", CallDuration: "57" });
    const dial = await telnyxPost(action, {
      CallSid: params.CallSid,
      CallStatus: "in-progress",
      DialCallSid: legSid,
      DialCallStatus: "completed",
      DialCallDuration: "57",
      HangupSource: "callee",
    });
    expect(dial.text).toContain("<Hangup/>");
    const done = await getCall(callId);
    // 57 s against a 60 s minimum, the buyer hanging up: not billed, and flagged.
    expect(done).toMatchObject({ status: "completed", durationSec: 57, billable: false, hangupBy: "buyer" });
    expect(done.flags).toEqual(["buyer_hangup_below_minimum"]);
  });
});
