// The carrier edge through the real stack: signed Twilio and Telnyx webhooks are auctioned and answered
// with a Dial; the buyer leg's callbacks bill the carrier's duration once whatever their order or
// repetition; an unanswered Dial is re-routed in the same answer; bad signatures move nothing.
import { describe, expect, it } from "vitest";
import { offerCallId } from "../offer.ts";
import { signTwilio } from "../telephony/sign.ts";
import { attr, telnyxPost, text, trackingNumber, twilioPost, voiceUrl } from "./carrier.ts";
import {
  call,
  createBuyer,
  createBuyerCampaign,
  createSeller,
  randomCaller,
  uniq,
  waitFor,
} from "./client.ts";
import { stackSecret } from "./stack.ts";

const vertical = () => `v_${uniq().slice(0, 8)}`;

interface CallView {
  callId: string;
  status: string;
  durationSec?: number;
  billable: boolean | null;
  chargedMicros: number | null;
  hangupBy?: string | null;
  flags?: string[];
  decision: { buyerId?: string; bidId?: string };
}

/** Buyers bidding 30, 25, ... on a fresh vertical, a seller campaign with `campaign`, and a tracking number. */
async function market(buyers = 1, campaign: Record<string, unknown> = {}, minDurationSec = 60) {
  const v = vertical();
  const ids: string[] = [];
  for (let i = 0; i < buyers; i++) {
    const buyer = await createBuyer();
    await createBuyerCampaign(buyer, {
      vertical: v,
      bidMicros: 30_000_000 - i * 5_000_000,
      minDurationSec,
      destination: { number: `+1305987000${i}` },
    });
    ids.push(buyer);
  }
  const seller = await createSeller({ vertical: v, ...campaign });
  const number = await trackingNumber(seller.sellerCampaignId, ["carrier-e2e"]);
  return { buyers: ids, seller, number };
}

const voiceParams = (to: string, sid = `CA${uniq().replace(/-/g, "")}`) => ({
  CallSid: sid,
  AccountSid: "AC00000000000000000000000000000000",
  From: randomCaller(),
  To: to,
  CallStatus: "ringing",
  Direction: "inbound",
  ApiVersion: "2010-04-01",
  FromState: "FL",
  StirVerstat: "TN-Validation-Passed-A",
});

/** The call the Dial's callback URLs name. */
const callIdOf = (xml: string) => /\/calls\/([^/]+)\/dial/.exec(attr(xml, "Dial", "action") ?? "")?.[1] ?? "";
const getCall = async (callId: string) => (await call<CallView>("GET", `/v1/calls/${callId}`)).body;
const buyerBalance = async (buyerId: string) =>
  (await call<{ balanceMicros: number; reservedMicros: number }>("GET", `/v1/buyers/${buyerId}/balance`))
    .body;

/** The refused carrier signatures the audit chain holds under `aggregateId`. */
async function refusalsAudited(aggregateId: string): Promise<number> {
  const audit = await call<{ items: { type: string }[] }>(
    "GET",
    `/v1/audit?aggregateId=${aggregateId}&limit=100`,
  );
  return audit.body.items.filter((e) => e.type === "telephony.signature_refused").length;
}

/** The buyer leg as the carrier reports it, to the statusCallback the answer named. */
function leg(xml: string, legSid = `CA${uniq().replace(/-/g, "")}`) {
  const url = attr(xml, "Number", "statusCallback") ?? attr(xml, "Sip", "statusCallback") ?? "";
  const post = (status: string, extra: Record<string, string> = {}) =>
    twilioPost(url, { CallSid: legSid, CallStatus: status, ...extra });
  return { url, legSid, post };
}

describe("carrier edge (Twilio)", () => {
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
