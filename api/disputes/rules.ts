// Pure dispute rules: which reasons the exchange settles itself from the call's own data (a measured
// duration below the buyer's minimum, a duplicate caller it saw, a failure it recorded), and how.
// Everything else waits for an admin. Tested by the given/when/then cases in fixtures/resolve.

export const DISPUTE_REASONS = [
  "hung_up",
  "not_qualified",
  "duplicate",
  "spam",
  "technical",
  "other",
] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];

/** What the exchange itself knows about a disputed call (never what the buyer claims). */
export interface DisputeFacts {
  /** The billed duration, and whether a carrier measured it (a carrier call) or the seller reported it. */
  durationSec: number | null;
  carrierMeasured: boolean;
  /** The longest recording the carrier reported for the call (record-from-answer: the talk time). */
  recordedSec: number | null;
  /** The buyer's billing minimum on the call's routing. */
  minDurationSec: number | null;
  /** Who ended the call, when its reporter said. */
  hangupBy: "caller" | "buyer" | "system" | null;
  /**
   * The duplicate window of the buyer campaign and the newest earlier call from the same caller to that
   * campaign inside it (null when none); absent when the exchange cannot tell (caller erased or unknown).
   */
  duplicate?: { windowDays: number; prior: { callId: string; offeredAt: string } | null };
}

export type Verdict = { status: "accepted" | "rejected" | "open"; note: string };

/** A measured duration: the recording (talk time) when there is one, else the carrier's duration. */
function measured(f: DisputeFacts): { sec: number; by: string } | undefined {
  if (f.recordedSec !== null) return { sec: f.recordedSec, by: "the call's recording lasts" };
  if (f.carrierMeasured && f.durationSec !== null) return { sec: f.durationSec, by: "the carrier measured" };
  return undefined;
}

const ADMIN = "awaiting an admin decision";

function duration(reason: "hung_up" | "not_qualified", f: DisputeFacts): Verdict {
  const m = measured(f);
  if (!m || f.minDurationSec === null)
    return { status: "open", note: `no carrier-measured duration for this call: ${ADMIN}` };
  if (m.sec < f.minDurationSec) {
    return {
      status: "accepted",
      note: `${m.by} ${m.sec}s, below the buyer's ${f.minDurationSec}s minimum: the call should not have been billed`,
    };
  }
  if (reason === "not_qualified")
    return {
      status: "open",
      note: `${m.by} ${m.sec}s (minimum ${f.minDurationSec}s); qualification: ${ADMIN}`,
    };
  if (f.hangupBy === "buyer")
    return {
      status: "rejected",
      note: `the carrier reports the buyer's side ended the call after ${m.sec}s`,
    };
  return {
    status: "rejected",
    note: `${m.by} ${m.sec}s, at or above the buyer's ${f.minDurationSec}s minimum`,
  };
}

function duplicate(f: DisputeFacts): Verdict {
  const d = f.duplicate;
  if (!d) return { status: "open", note: `the exchange no longer knows this caller: ${ADMIN}` };
  if (d.windowDays === 0)
    return { status: "open", note: `the buyer campaign has no duplicate window: ${ADMIN}` };
  if (d.prior) {
    return {
      status: "accepted",
      note: `call ${d.prior.callId} from the same caller reached the same campaign at ${d.prior.offeredAt}, within its ${d.windowDays}-day duplicate window`,
    };
  }
  return {
    status: "rejected",
    note: `no earlier call from this caller reached the campaign within its ${d.windowDays}-day duplicate window`,
  };
}

function technical(f: DisputeFacts): Verdict {
  if (f.hangupBy === "system")
    return { status: "accepted", note: "the call was ended by the system, not by either party" };
  return { status: "open", note: `no failure in the call's own data: ${ADMIN}` };
}

/** The exchange's verdict on a new dispute from the call's facts. */
export function autoResolve(reason: DisputeReason, f: DisputeFacts): Verdict {
  switch (reason) {
    case "hung_up":
    case "not_qualified":
      return duration(reason, f);
    case "duplicate":
      return duplicate(f);
    case "technical":
      return technical(f);
    default:
      return { status: "open", note: ADMIN };
  }
}
