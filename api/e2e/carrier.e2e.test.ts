// The carrier edge through the real stack, billing: signed Twilio webhooks are auctioned and answered
// with a Dial; the buyer leg's callbacks bill the carrier's duration once whatever their order or
// repetition; an unanswered Dial, or a buyer's early hang-up, is re-routed in the same answer.
import { describe, expect, it } from "vitest";
import { attr, text, twilioPost, voiceUrl } from "./carrier.ts";
import { buyerBalance, callIdOf, getCall, leg, market, voiceParams } from "./carrier-market.ts";
import { waitFor } from "./client.ts";

describe("carrier edge: billing and re-routing (Twilio)", () => {
  it("answers a call on a tracking number with a Dial to the winner and bills the carrier's duration once", async () => {
    const { buyers, number } = await market(1);
    const params = voiceParams(number);
    const answer = await twilioPost(voiceUrl("twilio"), params);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/xml/);
    expect(text(answer.text, "Number")).toBe("+13059870000");
    expect(attr(answer.text, "Dial", "answerOnBridge")).toBe("true");
    expect(attr(answer.text, "Dial", "timeLimit")).toMatch(/^\d+$/);
    expect(attr(answer.text, "Number", "statusCallbackEvent")).toBe("initiated ringing answered completed");
    const callId = callIdOf(answer.text);
    expect(callId).toMatch(/^call_/);
    // The retried webhook gets the same answer (same call, same routing).
    expect((await twilioPost(voiceUrl("twilio"), params)).text).toBe(answer.text);

    const b = leg(answer.text);
    expect((await b.post("ringing")).status).toBe(204);
    expect((await getCall(callId)).status).toBe("ringing");
    await b.post("in-progress");
    expect((await getCall(callId)).status).toBe("connected");
    await b.post("completed", { CallDuration: "95" });
    await b.post("completed", { CallDuration: "95" }); // delivered twice
    const dial = await twilioPost(attr(answer.text, "Dial", "action") ?? "", {
      CallSid: params.CallSid,
      CallStatus: "completed",
      DialCallSid: b.legSid,
      DialCallStatus: "completed",
      DialCallDuration: "95",
    });
    expect(dial.text).toContain("<Hangup/>");
    const done = await getCall(callId);
    expect(done).toMatchObject({
      status: "completed",
      durationSec: 95,
      billable: true,
      chargedMicros: 30_000_000,
    });
    expect(done.hangupBy).toBe("caller");
    const bal = await waitFor(
      () => buyerBalance(buyers[0]!),
      (x) => x.balanceMicros === 70_000_000,
    );
    expect(bal).toMatchObject({ balanceMicros: 70_000_000, reservedMicros: 0 });
  });

  it("settles a completed that arrives before answered on the carrier's duration, once", async () => {
    const { buyers, number } = await market(1);
    const answer = await twilioPost(voiceUrl("twilio"), voiceParams(number));
    const callId = callIdOf(answer.text);
    const b = leg(answer.text);
    await b.post("completed", { CallDuration: "61" });
    await b.post("in-progress"); // late: changes nothing
    await b.post("ringing");
    const done = await getCall(callId);
    expect(done).toMatchObject({
      status: "completed",
      durationSec: 61,
      billable: true,
      chargedMicros: 30_000_000,
    });
    const bal = await waitFor(
      () => buyerBalance(buyers[0]!),
      (x) => x.balanceMicros === 70_000_000,
    );
    expect(bal.balanceMicros).toBe(70_000_000);
  });

  it("re-routes a no-answer to the next bid in the Dial action's own answer, and bills only that buyer", async () => {
    const { buyers, number } = await market(2, { reroute: { max: 1, belowSec: 10 } });
    const params = voiceParams(number);
    const answer = await twilioPost(voiceUrl("twilio"), params);
    const callId = callIdOf(answer.text);
    expect(text(answer.text, "Number")).toBe("+13059870000");
    const first = leg(answer.text);
    await first.post("ringing");
    await first.post("no-answer");
    const next = await twilioPost(attr(answer.text, "Dial", "action") ?? "", {
      CallSid: params.CallSid,
      CallStatus: "in-progress",
      DialCallSid: first.legSid,
      DialCallStatus: "no-answer",
    });
    expect(next.status).toBe(200);
    expect(text(next.text, "Number")).toBe("+13059870001");
    expect(attr(next.text, "Dial", "action")).not.toBe(attr(answer.text, "Dial", "action"));
    expect((await getCall(callId)).decision.buyerId).toBe(buyers[1]);
    // A late callback of the first attempt changes nothing now.
    await first.post("completed", { CallDuration: "300" });
    const second = leg(next.text);
    await second.post("in-progress");
    await second.post("completed", { CallDuration: "120" });
    const done = await getCall(callId);
    expect(done).toMatchObject({ status: "completed", durationSec: 120, chargedMicros: 25_000_000 });
    const b = await waitFor(
      () => buyerBalance(buyers[1]!),
      (x) => x.balanceMicros === 75_000_000,
    );
    expect(b).toMatchObject({ balanceMicros: 75_000_000, reservedMicros: 0 });
    expect(await buyerBalance(buyers[0]!)).toMatchObject({ balanceMicros: 100_000_000, reservedMicros: 0 });
  });

  it("re-routes a buyer's early hang-up told by the Dial action after the leg's own completed", async () => {
    const { buyers, number } = await market(2, { reroute: { max: 1, belowSec: 10 } });
    const params = voiceParams(number);
    const answer = await twilioPost(voiceUrl("twilio"), params);
    const callId = callIdOf(answer.text);
    const first = leg(answer.text);
    await first.post("in-progress");
    await first.post("completed", { CallDuration: "4" }); // who hung up: not said here
    const next = await twilioPost(attr(answer.text, "Dial", "action") ?? "", {
      CallSid: params.CallSid,
      CallStatus: "in-progress", // the caller is still there: the buyer hung up
      DialCallSid: first.legSid,
      DialCallStatus: "completed",
      DialCallDuration: "4",
    });
    expect(text(next.text, "Number")).toBe("+13059870001");
    const rerouted = await getCall(callId);
    expect(rerouted).toMatchObject({ status: "routed", decision: { buyerId: buyers[1] } });
    expect(await buyerBalance(buyers[0]!)).toMatchObject({ balanceMicros: 100_000_000, reservedMicros: 0 });
  });
});
