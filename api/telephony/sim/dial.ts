// The simulated carrier's `<Dial>`: rings each `<Number>`/`<Sip>` as its scripted buyer behaves, runs
// the buyer leg's own TwiML (`url`: whisper, press-1) once it answers, posts the leg's status callbacks
// (only the `statusCallbackEvent`s asked for), the recording callback, then the Dial `action`, whose
// answer continues the call. Faults (duplicates, reordering, action first) apply here.
import { type Leg, placeLeg, scriptFor } from "./buyers.ts";
import { type Doc, type Run, toDoc } from "./carrier.ts";
import { carrierId, legParams, timestampAt } from "./params.ts";
import type { DialTarget, DialVerb } from "./twiml.ts";
import type { LegRecord } from "./types.ts";
import { runWhisper } from "./whisper.ts";

interface Placed {
  target: DialTarget;
  leg: LegRecord;
}

export async function runDial(run: Run, dial: DialVerb): Promise<Doc | undefined | "continue"> {
  const t0 = run.t;
  const place = (target: DialTarget, extra?: { extraAnsweredSec: number; bridged: boolean }) =>
    placeLeg({
      script: scriptFor(run.opts.buyers, target.value),
      startSec: t0,
      timeoutSec: dial.timeoutSec,
      timeLimitSec: dial.timeLimitSec,
      callerHangupAtSec: run.quitAt,
      ...extra,
    });
  const placed: Placed[] = dial.targets.map((target) => ({
    target,
    leg: { ...place(target), sid: carrierId(run.call.provider, "CA"), to: target.value, bridged: false },
  }));
  const winner = firstAnswered(placed);
  for (const p of placed)
    if (winner && p !== winner) p.leg = { ...p.leg, ...stoppedRinging(p.leg, winner.leg) };
  const carrierOrder = (run.opts.faults?.order ?? "carrier") === "carrier";
  if (carrierOrder) for (const p of placed) await postEvents(run, p, (e) => e !== "completed");
  if (winner) {
    const { target } = winner;
    const w = target.url ? await runWhisper(run, winner.leg, target) : { extraAnsweredSec: 0, bridged: true };
    winner.leg = { ...winner.leg, ...place(target, w), bridged: w.bridged };
    if (dial.record) winner.leg.recordingSid = carrierId(run.call.provider, "RE");
    if (dial.record && carrierOrder) await postRecording(run, dial, winner.leg, "in-progress");
  }
  const main = winner ?? placed.at(-1)!;
  const ends = async () => {
    for (const p of placed) await postEvents(run, p, (e) => !carrierOrder || e === "completed");
    if (winner && dial.record) {
      if (!carrierOrder) await postRecording(run, dial, winner.leg, "in-progress");
      await postRecording(run, dial, winner.leg, "completed");
    }
  };
  run.result.legs.push(...placed.map((p) => p.leg));
  run.t = Math.max(...placed.map((p) => p.leg.endedAtSec));
  // The caller ending the bridged call ends the call: the action then says CallStatus=completed.
  if (winner?.leg.hangupBy === "caller") run.quitAt = Math.min(run.quitAt, winner.leg.endedAtSec);
  const callerGone = run.quitAt <= run.t;
  if (!run.opts.faults?.actionFirst) await ends();
  const next = dial.action ? await postAction(run, dial, main.leg, callerGone) : "continue";
  if (run.opts.faults?.actionFirst) await ends();
  if (callerGone) {
    run.t = run.quitAt;
    run.result.end = "caller";
    return undefined;
  }
  return next;
}

function firstAnswered(placed: Placed[]): Placed | undefined {
  const answered = placed.filter((p) => p.leg.answeredAtSec !== undefined);
  return answered.sort((a, b) => a.leg.answeredAtSec! - b.leg.answeredAtSec!)[0];
}

/** A losing leg still ringing when another answered is canceled at that moment. */
function stoppedRinging(leg: Leg, won: Leg): Partial<Leg> {
  const at = won.answeredAtSec!;
  if (leg.endedAtSec <= at && leg.answeredAtSec === undefined) return {};
  return {
    status: "canceled",
    answeredAtSec: undefined,
    endedAtSec: at,
    durationSec: 0,
    events: [
      ...leg.events.filter((e) => e.event === "initiated" || e.event === "ringing"),
      { event: "completed", atSec: at, callStatus: "canceled" },
    ],
  };
}

/** The leg's status callbacks that `which` selects, in the order the faults ask for. */
async function postEvents(run: Run, p: Placed, which: (event: string) => boolean): Promise<void> {
  const { target, leg } = p;
  if (!target.statusCallback) return;
  const numbered = leg.events.map((e, i) => ({ ...e, seq: i }));
  const wanted = reorder(
    run,
    numbered.filter(
      (e) =>
        target.statusCallbackEvents.includes(e.event) &&
        !run.opts.faults?.drop?.includes(e.event) &&
        which(e.event),
    ),
  );
  for (const e of wanted) {
    const params: Record<string, string> = {
      ...legParams(run, leg.sid, target.value, e.callStatus),
      CallbackSource: "call-progress-events",
      SequenceNumber: String(e.seq),
      Timestamp: timestampAt(run.opts.startedAt ?? new Date(0), e.atSec),
      ...(e.event === "completed" ? { CallDuration: String(leg.durationSec) } : {}),
    };
    const req = {
      kind: "status" as const,
      url: target.statusCallback,
      method: target.statusCallbackMethod,
      params,
    };
    for (let i = 0; i < copies(run, e.event); i++) await run.post(req, e.atSec, e.event);
  }
}

const copies = (run: Run, what: string) => (run.opts.faults?.duplicate?.includes(what as never) ? 2 : 1);

function reorder<T extends { event: string }>(run: Run, events: T[]): T[] {
  switch (run.opts.faults?.order ?? "carrier") {
    case "reverse":
      return [...events].reverse();
    case "completed-first":
      return [
        ...events.filter((e) => e.event === "completed"),
        ...events.filter((e) => e.event !== "completed"),
      ];
    case "shuffle": {
      const random = run.opts.random ?? Math.random;
      return events
        .map((e) => ({ e, k: random() }))
        .sort((a, b) => a.k - b.k)
        .map((x) => x.e);
    }
    default:
      return events;
  }
}

async function postRecording(run: Run, dial: DialVerb, leg: LegRecord, status: "in-progress" | "completed") {
  if (!dial.recordingStatusCallback || !leg.recordingSid || leg.durationSec <= 0) return;
  if (!dial.recordingStatusCallbackEvents.includes(status)) return;
  const base =
    run.opts.recordingBaseUrl ?? `https://api.twilio.com/2010-04-01/Accounts/${run.accountSid}/Recordings/`;
  const params: Record<string, string> = {
    AccountSid: run.accountSid,
    CallSid: run.callSid,
    RecordingSid: leg.recordingSid,
    RecordingUrl: `${base}${leg.recordingSid}`,
    RecordingStatus: status,
    RecordingChannels: dial.record?.endsWith("dual") ? "2" : "1",
    RecordingSource: "DialVerb",
    RecordingStartTime: timestampAt(run.opts.startedAt ?? new Date(0), leg.answeredAtSec ?? 0),
    ...(status === "completed" ? { RecordingDuration: String(leg.durationSec) } : {}),
  };
  const req = {
    kind: "recording" as const,
    url: dial.recordingStatusCallback,
    method: dial.recordingStatusCallbackMethod,
    params,
  };
  const at = status === "completed" ? leg.endedAtSec : (leg.answeredAtSec ?? 0);
  for (let i = 0; i < copies(run, "recording"); i++) await run.post(req, at);
}

/** Posts the Dial's outcome; its answer is the next document (ignored once the caller is gone). */
async function postAction(run: Run, dial: DialVerb, leg: LegRecord, callerGone: boolean) {
  const answered = leg.answeredAtSec !== undefined;
  const params: Record<string, string> = {
    ...run.base,
    CallStatus: callerGone ? "completed" : "in-progress",
    DialCallStatus: leg.status,
    DialCallSid: leg.sid,
    ...(answered ? { DialCallDuration: String(leg.durationSec) } : {}),
    // Telnyx says who hung up; Twilio leaves it to CallStatus (the caller's leg over or not).
    ...(run.call.provider === "telnyx" && answered ? { HangupSource: callerGone ? "caller" : "callee" } : {}),
    Timestamp: timestampAt(run.opts.startedAt ?? new Date(0), leg.endedAtSec),
  };
  const req = { kind: "action" as const, url: dial.action!, method: dial.method, params };
  let answer = await run.post(req, leg.endedAtSec);
  for (let i = 1; i < copies(run, "action"); i++) answer = await run.post(req, leg.endedAtSec);
  if (callerGone) return undefined;
  return toDoc(run, answer, dial.action!);
}
