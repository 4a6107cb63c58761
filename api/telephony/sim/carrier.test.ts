import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BuyerBook } from "./buyers.ts";
import { runCall } from "./carrier.ts";
import type { CarrierAnswer, CarrierRequest, Faults, SimCall } from "./types.ts";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");
const VOICE = "http://exchange.test/v1/telephony/twilio/voice";
const DIAL = "http://exchange.test/v1/telephony/twilio/calls/call_1/dial";
const STATUS = "http://exchange.test/v1/telephony/twilio/calls/call_1/legs/1/status";

/** An exchange that answers each URL with a fixture (or a function of the request), 404 otherwise. */
function exchange(routes: Record<string, string | ((r: CarrierRequest) => CarrierAnswer)>) {
  return async (req: CarrierRequest): Promise<CarrierAnswer> => {
    const route = routes[req.url];
    if (route === undefined) return { status: 404, body: "" };
    return typeof route === "string" ? { status: 200, body: fixture(route) } : route(req);
  };
}

const CALL: SimCall = { provider: "twilio", voiceUrl: VOICE, from: "+13059871234", to: "+13055550100" };
const sim = (
  routes: Parameters<typeof exchange>[0],
  buyers: BuyerBook,
  faults: Faults = {},
  call: Partial<SimCall> = {},
) => runCall({ ...CALL, ...call }, { send: exchange(routes), buyers, faults, startedAt: new Date(0) });
const trail = (r: Awaited<ReturnType<typeof sim>>) =>
  r.requests.map((q) => (q.kind === "status" ? `status:${q.params.CallStatus}` : q.kind));

describe("the simulated carrier", () => {
  it("posts the voice webhook, speaks, dials, reports the buyer leg in carrier order, then the action", async () => {
    const r = await sim(
      { [VOICE]: "dial.xml", [STATUS]: () => ({ status: 204, body: "" }), [DIAL]: "hangup.xml" },
      { "+13059870001": { outcome: "answer", ringSec: 4, talkSec: 125, endedBy: "buyer" } },
      {},
      { attestation: "A", callerState: "FL", callerZip: "33101" },
    );
    expect(trail(r)).toEqual([
      "voice",
      "status:initiated",
      "status:ringing",
      "status:in-progress",
      "status:completed",
      "action",
    ]);
    const [voice, , , , completed, action] = r.requests;
    expect(voice!.params).toMatchObject({
      CallSid: r.callSid,
      From: "+13059871234",
      To: "+13055550100",
      CallStatus: "ringing",
      Direction: "inbound",
      StirVerstat: "TN-Validation-Passed-A",
      FromState: "FL",
      FromZip: "33101",
    });
    expect(r.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(completed!.params).toMatchObject({
      ParentCallSid: r.callSid,
      CallSid: r.legs[0]!.sid,
      To: "+13059870001",
      CallDuration: "125",
      SequenceNumber: "3",
    });
    expect(action!.params).toMatchObject({
      CallSid: r.callSid,
      CallStatus: "in-progress",
      DialCallStatus: "completed",
      DialCallSid: r.legs[0]!.sid,
      DialCallDuration: "125",
    });
    expect(r.said).toEqual(["This call may be recorded for quality assurance."]);
    expect(r).toMatchObject({ end: "hangup", errors: [] });
  });

  it("the caller ending the bridged call: the action says the caller's leg is over, and the call ends", async () => {
    for (const provider of ["twilio", "telnyx"] as const) {
      const r = await sim(
        { [VOICE]: "dial.xml", [DIAL]: "reroute.xml" },
        { default: { outcome: "answer", ringSec: 2, talkSec: 95 } },
        {},
        { provider, attestation: "B" },
      );
      const action = r.requests.find((q) => q.kind === "action")!;
      expect(action.params).toMatchObject({
        CallStatus: "completed",
        DialCallStatus: "completed",
        DialCallDuration: "95",
      });
      expect(action.params.HangupSource).toBe(provider === "telnyx" ? "caller" : undefined);
      expect(r).toMatchObject({ end: "caller", endedAtSec: 4 + 2 + 95 });
      expect(r.legs).toHaveLength(1); // the action's answer (another Dial) is ignored
    }
  });

  it("posts only the statusCallbackEvents asked for (Twilio's default: completed)", async () => {
    const r = await sim(
      { [VOICE]: "completed-only.xml", [DIAL]: "hangup.xml" },
      { default: { outcome: "answer", talkSec: 30 } },
    );
    expect(trail(r)).toEqual(["voice", "status:completed", "action"]);
    expect(r.requests[1]!.url).toBe("http://exchange.test/v1/telephony/twilio/legs/1/status");
  });

  it("no answer: the action says so, and its answer (a second Dial) rings the next buyer", async () => {
    const r = await sim(
      { [VOICE]: "dial.xml", [DIAL]: "reroute.xml", [`${DIAL}?attempt=2`]: "hangup.xml" },
      {
        "+13059870001": { outcome: "no-answer" },
        "sip:agent@buyer2.example.com": { outcome: "answer", talkSec: 90 },
      },
    );
    const actions = r.requests.filter((q) => q.kind === "action");
    expect(actions[0]!.params).toMatchObject({ DialCallStatus: "no-answer" });
    expect(actions[0]!.params.DialCallDuration).toBeUndefined();
    expect(actions[1]!.params).toMatchObject({ DialCallStatus: "completed", DialCallDuration: "90" });
    expect(r.legs.map((l) => [l.to, l.status, l.durationSec])).toEqual([
      ["+13059870001", "no-answer", 0],
      ["sip:agent@buyer2.example.com", "completed", 90],
    ]);
    // The disclosure took 4 s and the first leg rang out after the Dial's 20 s timeout.
    expect(r.requests.find((q) => q.event === "ringing" && q.params.To?.startsWith("sip:"))!.atSec).toBe(24);
  });

  it("busy, and the caller hanging up while it rings (the action's answer is then ignored)", async () => {
    const busy = await sim({ [VOICE]: "dial.xml", [DIAL]: "hangup.xml" }, { default: { outcome: "busy" } });
    expect(trail(busy)).toEqual(["voice", "status:initiated", "status:busy", "action"]);
    const gone = await sim(
      { [VOICE]: "dial.xml", [DIAL]: "reroute.xml" },
      { default: { outcome: "answer", ringSec: 15 } },
      {},
      { callerHangupAtSec: 10 },
    );
    expect(trail(gone)).toEqual(["voice", "status:initiated", "status:ringing", "status:canceled", "action"]);
    expect(gone.requests.at(-1)!.params).toMatchObject({
      CallStatus: "completed",
      DialCallStatus: "canceled",
    });
    expect(gone).toMatchObject({ end: "caller", endedAtSec: 10 });
    expect(gone.legs).toHaveLength(1);
  });

  it("faults: duplicates, completed first, action first, retried voice webhook", async () => {
    const routes = { [VOICE]: "dial.xml", [DIAL]: "hangup.xml" };
    const buyers = { default: { outcome: "answer", talkSec: 70 } } as BuyerBook;
    const dup = await sim(routes, buyers, { duplicate: ["completed", "action"] });
    expect(trail(dup).slice(4)).toEqual(["status:completed", "status:completed", "action", "action"]);
    expect(dup.requests[4]!.params).toEqual(dup.requests[5]!.params);
    const first = await sim(routes, buyers, { order: "completed-first" });
    expect(trail(first)).toEqual([
      "voice",
      "status:completed",
      "status:initiated",
      "status:ringing",
      "status:in-progress",
      "action",
    ]);
    const lost = await sim(routes, buyers, { drop: ["ringing", "answered"] });
    expect(trail(lost)).toEqual(["voice", "status:initiated", "status:completed", "action"]);
    expect(lost.requests[2]!.params.SequenceNumber).toBe("3"); // the carrier numbered the lost ones too
    const early = await sim(routes, buyers, { actionFirst: true });
    expect(trail(early).slice(3)).toEqual(["status:in-progress", "action", "status:completed"]);
    let n = 0;
    const retried = await sim(
      {
        ...routes,
        [VOICE]: () => ({
          status: 200,
          body: fixture("dial.xml").replace("call_1", `call_1${n++ ? "x" : ""}`),
        }),
      },
      buyers,
      { voiceRetries: 2 },
    );
    expect(retried.voiceAnswers).toHaveLength(3);
    expect(
      new Set(retried.requests.filter((q) => q.kind === "voice").map((q) => q.params.CallSid)).size,
    ).toBe(1);
    expect(retried.legs).toHaveLength(1); // the first answer is the one the call follows
  });

  it("a refused voice webhook ends the call with nothing else posted", async () => {
    const r = await sim({ [VOICE]: () => ({ status: 403, body: "{}" }) }, {});
    expect(r).toMatchObject({ end: "refused", legs: [] });
    expect(trail(r)).toEqual(["voice"]);
  });

  it("a recorded Dial posts the recording callback after the leg completes", async () => {
    const r = await sim(
      { [VOICE]: "record.xml", "http://exchange.test/dial": "hangup.xml" },
      { default: { outcome: "answer", talkSec: 61 } },
    );
    expect(trail(r)).toEqual(["voice", "status:in-progress", "status:completed", "recording", "action"]);
    expect(r.requests[3]!.params).toMatchObject({
      CallSid: r.callSid,
      RecordingSid: r.legs[0]!.recordingSid,
      RecordingStatus: "completed",
      RecordingDuration: "61",
      RecordingChannels: "2",
    });
    expect(r.requests[3]!.params.RecordingUrl).toMatch(/\/Recordings\/RE[0-9a-f]{32}$/);
  });

  it("runs the buyer leg's TwiML (press 1) before bridging; a buyer who does not accept is not bridged", async () => {
    const routes = {
      [VOICE]: "whisper.xml",
      "http://exchange.test/whisper": "press1.xml",
      "http://exchange.test/accept": () => ({ status: 200, body: "<Response/>" }),
      "http://exchange.test/dial": "hangup.xml",
    };
    const yes = await sim(routes, { default: { outcome: "answer", talkSec: 100, digits: "1" } });
    expect(trail(yes)).toEqual([
      "voice",
      "status:in-progress",
      "whisper",
      "gather",
      "status:completed",
      "action",
    ]);
    expect(yes.requests[3]!.params).toMatchObject({ Digits: "1", CallSid: yes.legs[0]!.sid });
    expect(yes.legs[0]).toMatchObject({ bridged: true, durationSec: 100 + 4 + 1 });
    const no = await sim(routes, { default: { outcome: "answer", talkSec: 100 } });
    expect(trail(no)).toEqual(["voice", "status:in-progress", "whisper", "status:completed", "action"]);
    expect(no.legs[0]).toMatchObject({ bridged: false, durationSec: 4 + 8, hangupBy: "buyer" });
  });

  it("press 1 with a Redirect on silence: the accept URL is asked without Digits, and its Hangup unbridges", async () => {
    const asked: Record<string, string>[] = [];
    const routes = {
      [VOICE]: "whisper.xml",
      "http://exchange.test/whisper": "accept.xml",
      "http://exchange.test/accept": (req: CarrierRequest) => {
        asked.push(req.params);
        return {
          status: 200,
          body: req.params.Digits === "1" ? "<Response/>" : "<Response><Hangup/></Response>",
        };
      },
      "http://exchange.test/dial": "hangup.xml",
    };
    const silent = await sim(routes, { default: { outcome: "answer", talkSec: 100 } });
    expect(trail(silent)).toEqual([
      "voice",
      "status:in-progress",
      "whisper",
      "redirect",
      "status:completed",
      "action",
    ]);
    expect(asked[0]!.Digits).toBeUndefined();
    expect(silent.legs[0]).toMatchObject({ bridged: false, hangupBy: "buyer", durationSec: 3 + 3 + 8 });
    const pressed = await sim(routes, { default: { outcome: "answer", talkSec: 100, digits: "1" } });
    expect(trail(pressed)).toEqual([
      "voice",
      "status:in-progress",
      "whisper",
      "gather",
      "status:completed",
      "action",
    ]);
    expect(pressed.legs[0]).toMatchObject({ bridged: true, durationSec: 3 + 3 + 1 + 100 });
  });

  it("follows a Redirect (relative URL) and a Dial without action goes on to the next verb", async () => {
    const r = await sim(
      {
        [VOICE]: "fallback.xml",
        "http://exchange.test/v1/telephony/twilio/calls/call_1/next": "forward.xml",
      },
      { default: { outcome: "answer", talkSec: 10, endedBy: "buyer" } },
    );
    expect(trail(r)).toEqual(["voice", "redirect"]);
    expect(r.said).toEqual(["Sorry, nobody can take your call right now.", "Goodbye."]);
    expect(r.legs[0]).toMatchObject({ to: "+13059879999", durationSec: 10 });
    expect(r.end).toBe("document-end");
  });
});
