// Scripted buyers: what each dialed destination does when the simulated carrier rings it, and the
// buyer leg that results (its status callbacks in carrier order, its duration, who hung up). Pure.

export interface BuyerScript {
  /** What the destination's phone does: pick up, ring out, answer busy, or fail to connect. */
  outcome: "answer" | "no-answer" | "busy" | "failed";
  /** Seconds it rings before answering (answer; default 3). */
  ringSec?: number;
  /** Seconds the bridged call lasts, unless the caller hangs up first (answer; default 120). */
  talkSec?: number;
  /** Who ends the bridged call when `talkSec` is up (default the caller). */
  endedBy?: "buyer" | "caller";
  /** Digits the buyer's agent presses at a `<Gather>` on its own leg (press-1 acceptance). */
  digits?: string;
}

/** Scripts by destination (E.164 number or sip: URI); `default` for any other destination. */
export type BuyerBook = Record<string, BuyerScript>;

export function scriptFor(book: BuyerBook, destination: string): BuyerScript {
  return book[destination] ?? book.default ?? { outcome: "answer" };
}

export type LegStatus = "completed" | "no-answer" | "busy" | "failed" | "canceled";

/** One status callback of the buyer leg: the event name `statusCallbackEvent` filters on. */
export interface LegEvent {
  event: "initiated" | "ringing" | "answered" | "completed";
  atSec: number;
  callStatus: string;
}

export interface Leg {
  status: LegStatus;
  events: LegEvent[];
  /** Seconds from the Dial to the answer (answered legs only). */
  answeredAtSec?: number;
  endedAtSec: number;
  /** The leg's CallDuration as the carrier measures it: answer to hang-up (0 when never answered). */
  durationSec: number;
  hangupBy?: "buyer" | "caller" | "carrier";
}

/**
 * The leg placed at `startSec` (seconds since the call began) towards a buyer following `script`,
 * given the Dial's `timeoutSec` and `timeLimitSec`, the caller hanging up at `callerHangupAtSec`
 * (absolute; Infinity if never) and `extraAnsweredSec` spent on the buyer's leg before bridging (a whisper).
 */
export function placeLeg(opts: {
  script: BuyerScript;
  startSec: number;
  timeoutSec: number;
  timeLimitSec: number;
  callerHangupAtSec: number;
  extraAnsweredSec?: number;
  bridged?: boolean;
}): Leg {
  const { script, startSec: t0, callerHangupAtSec: quit } = opts;
  const initiated: LegEvent = { event: "initiated", atSec: t0, callStatus: "initiated" };
  const end = (status: LegStatus, atSec: number, callStatus = status): LegEvent => ({
    event: "completed",
    atSec,
    callStatus,
  });
  if (script.outcome === "busy")
    return { status: "busy", events: [initiated, end("busy", t0)], endedAtSec: t0, durationSec: 0 };
  if (script.outcome === "failed")
    return { status: "failed", events: [initiated, end("failed", t0)], endedAtSec: t0, durationSec: 0 };
  const ringing: LegEvent = { event: "ringing", atSec: t0, callStatus: "ringing" };
  const ringFor = script.outcome === "answer" ? (script.ringSec ?? 3) : Number.POSITIVE_INFINITY;
  const giveUpAt = t0 + Math.min(ringFor, opts.timeoutSec);
  if (quit < giveUpAt && quit < t0 + ringFor) {
    return {
      status: "canceled",
      events: [initiated, ringing, end("canceled", quit)],
      endedAtSec: quit,
      durationSec: 0,
      hangupBy: "caller",
    };
  }
  if (ringFor > opts.timeoutSec) {
    return {
      status: "no-answer",
      events: [initiated, ringing, end("no-answer", giveUpAt)],
      endedAtSec: giveUpAt,
      durationSec: 0,
    };
  }
  const answeredAt = t0 + ringFor;
  const answered: LegEvent = { event: "answered", atSec: answeredAt, callStatus: "in-progress" };
  const before = opts.extraAnsweredSec ?? 0;
  const planned = opts.bridged === false ? before : before + (script.talkSec ?? 120);
  const limited = Math.min(planned, opts.timeLimitSec);
  let endAt = answeredAt + limited;
  let hangupBy: Leg["hangupBy"] =
    opts.bridged === false ? "buyer" : limited < planned ? "carrier" : (script.endedBy ?? "caller");
  if (quit < endAt) {
    endAt = Math.max(quit, answeredAt);
    hangupBy = "caller";
  }
  return {
    status: "completed",
    events: [initiated, ringing, answered, end("completed", endAt)],
    answeredAtSec: answeredAt,
    endedAtSec: endAt,
    durationSec: endAt - answeredAt,
    hangupBy,
  };
}
