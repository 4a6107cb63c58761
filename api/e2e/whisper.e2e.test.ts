// Whisper and press-1 acceptance through the real stack, with signed carrier requests: the winning
// buyer's Dial carries <Number url=whisper>; the whisper asks its agent to press 1. Accepted, the
// call bridges and its billing minimum counts from the key press (a leg of exactly the minimum is not
// billable, a long one is charged once). Not accepted (another digit, or silence), the attempt fails
// `not_accepted`, the call goes to the next bid in the Dial's answer, and the first buyer is not billed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "./bidders.ts";
import { attr, text, trackingNumber, twilioPost } from "./carrier.ts";
import { call, createBuyer, createBuyerCampaign, createSeller, uniq } from "./client.ts";
import { callIdOf, closeDb, sid, voiceWebhook } from "./media-calls.ts";

const vertical = `wh_${uniq().slice(0, 8)}`;
const MESSAGE = "Auto insurance lead from the exchange.";
const A_NUMBER = "+13055550142";
const B_NUMBER = "+13055550143";
let buyerA = "";
let buyerB = "";
let number = "";

beforeAll(async () => {
  buyerA = await createBuyer();
  buyerB = await createBuyer();
  await createBuyerCampaign(buyerA, {
    vertical,
    bidMicros: 30_000_000,
    minDurationSec: 60,
    destination: { number: A_NUMBER },
    whisper: { message: MESSAGE, requireAcceptance: true },
  });
  await createBuyerCampaign(buyerB, {
    vertical,
    bidMicros: 20_000_000,
    minDurationSec: 60,
    destination: { number: B_NUMBER },
  });
  const seller = await createSeller({ vertical, reroute: { max: 2, belowSec: 10 } });
  number = await trackingNumber(seller.sellerCampaignId);
});
afterAll(closeDb);

interface Dialed {
  callId: string;
  xml: string;
  action: string;
  statusCallback: string;
  whisperUrl: string | undefined;
}

function dialed(xml: string): Dialed {
  const action = attr(xml, "Dial", "action") ?? "";
  return {
    callId: callIdOf(action),
    xml,
    action,
    statusCallback: attr(xml, "Number", "statusCallback") ?? "",
    whisperUrl: attr(xml, "Number", "url"),
  };
}

const callSid = () => sid("CA");
const leg = (d: Dialed, legSid: string, parent: string, status: string, extra: Record<string, string> = {}) =>
  twilioPost(d.statusCallback, { CallSid: legSid, ParentCallSid: parent, CallStatus: status, ...extra });
const getCall = (callId: string) => call<Record<string, unknown>>("GET", `/v1/calls/${callId}`);

/** The call dialed to buyer A, answered by its agent, who hears the whisper: the Gather's accept URL. */
async function answeredByA() {
  const parent = callSid();
  const answer = await voiceWebhook(number, parent);
  const d = dialed(answer.text);
  expect(text(answer.text, "Number")).toBe(A_NUMBER);
  expect(d.whisperUrl).toContain(`/calls/${d.callId}/whisper`);
  const legSid = callSid();
  await leg(d, legSid, parent, "ringing");
  await leg(d, legSid, parent, "in-progress");
  const whisper = await twilioPost(d.whisperUrl ?? "", { CallSid: legSid, CallStatus: "in-progress" });
  expect(whisper.status).toBe(200);
  expect(attr(whisper.text, "Gather", "numDigits")).toBe("1");
  expect(whisper.text).toContain(`<Say>${MESSAGE}</Say>`);
  expect(whisper.text).toContain("Press 1 to accept");
  const acceptUrl = attr(whisper.text, "Gather", "action") ?? "";
  expect(text(whisper.text, "Redirect")).toBe(acceptUrl); // silence goes there too, without Digits
  return { d, parent, legSid, acceptUrl };
}

describe("whisper and press-1 acceptance", () => {
  it("counts the billing minimum from acceptance: a leg of exactly the minimum is not billed, a long one is", async () => {
    for (const [durationSec, billable] of [
      [60, false],
      [600, true],
    ] as const) {
      const { d, parent, legSid, acceptUrl } = await answeredByA();
      await sleep(1100); // the agent listens, then presses 1
      const accepted = await twilioPost(acceptUrl, { CallSid: legSid, Digits: "1" });
      expect(accepted.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
      await leg(d, legSid, parent, "completed", { CallDuration: String(durationSec) });
      const outcome = await twilioPost(d.action, {
        CallSid: parent,
        CallStatus: "completed",
        DialCallSid: legSid,
        DialCallStatus: "completed",
        DialCallDuration: String(durationSec),
      });
      expect(outcome.text).toContain("<Hangup/>");
      const after = await getCall(d.callId);
      expect(after.body).toMatchObject({ status: "completed", billable, durationSec });
      expect((after.body.decision as { buyerId: string }).buyerId).toBe(buyerA);
      expect((after.body.timeline as { acceptedAt?: string }).acceptedAt).toEqual(expect.any(String));
      const billing = after.body.billing as { reason?: string; chargedMicros: number };
      if (billable) expect(billing.chargedMicros).toBe(30_000_000);
      else
        expect(billing.reason).toMatch(
          /^accepted [1-9]\d*s after answer, then connected \d+s, below the 60s minimum$/,
        );
    }
  });

  it.each([
    ["another digit", { Digits: "9" }],
    ["silence (the whisper's redirect, no Digits)", {}],
  ])("re-routes a call its agent did not accept (%s) and never bills that buyer", async (_name, press) => {
    const { d, parent, legSid, acceptUrl } = await answeredByA();
    const refused = await twilioPost(acceptUrl, { CallSid: legSid, ...press });
    expect(refused.text).toContain("<Hangup/>");
    // The carrier then ends A's leg and reports the Dial unanswered: the answer dials buyer B.
    await leg(d, legSid, parent, "completed", { CallDuration: "9" });
    const outcome = await twilioPost(d.action, {
      CallSid: parent,
      CallStatus: "in-progress",
      DialCallSid: legSid,
      DialCallStatus: "no-answer",
    });
    expect(text(outcome.text, "Number")).toBe(B_NUMBER);
    const toB = dialed(outcome.text);
    expect(toB.whisperUrl).toBeUndefined();
    const rerouted = await getCall(d.callId);
    expect(rerouted.body).toMatchObject({ status: "routed" });
    expect((rerouted.body.decision as { buyerId: string }).buyerId).toBe(buyerB);
    // A's hold on the call (slot and budget) was released when its agent declined.
    const balanceA = await call<{ reservedMicros: number }>("GET", `/v1/buyers/${buyerA}/balance`);
    expect(balanceA.body.reservedMicros).toBe(0);
    // B answers and talks long enough: B is charged its price, A nothing.
    const bLeg = callSid();
    await leg(toB, bLeg, parent, "in-progress");
    await leg(toB, bLeg, parent, "completed", { CallDuration: "120" });
    const done = await getCall(d.callId);
    expect(done.body).toMatchObject({ status: "completed", billable: true, chargedMicros: 20_000_000 });
    expect((done.body.decision as { buyerId: string }).buyerId).toBe(buyerB);
  });

  it("whispers without acceptance: the message alone, then the bridge, billed on the carrier's duration", async () => {
    const plainVertical = `wh_say_${uniq().slice(0, 8)}`;
    const buyer = await createBuyer();
    await createBuyerCampaign(buyer, {
      vertical: plainVertical,
      minDurationSec: 60,
      whisper: { message: "Press nothing, just talk." },
    });
    const seller = await createSeller({ vertical: plainVertical });
    const parent = callSid();
    const d = dialed((await voiceWebhook(await trackingNumber(seller.sellerCampaignId), parent)).text);
    const legSid = callSid();
    await leg(d, legSid, parent, "in-progress");
    const whisper = await twilioPost(d.whisperUrl ?? "", { CallSid: legSid, CallStatus: "in-progress" });
    expect(whisper.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Press nothing, just talk.</Say></Response>',
    );
    await leg(d, legSid, parent, "completed", { CallDuration: "60" });
    const after = await getCall(d.callId);
    expect(after.body).toMatchObject({ status: "completed", billable: true, durationSec: 60 });
  });
});
