// Pure call lifecycle: allowed transitions as data, and the billing decision at completion.
import type { Micros } from "../kernel/money.ts";
import { ok, type Result, refuse } from "../kernel/result.ts";
import type { Billing, CallEventCommand, CallState, CallStatus } from "./call-api.ts";
import { maxCallDurationSec } from "./holds.ts";

/** For each status, the event types it accepts and the status each leads to. */
export const TRANSITIONS: Record<CallStatus, Partial<Record<CallEventCommand["type"], CallStatus>>> = {
  routed: { ringing: "ringing", connected: "connected", failed: "failed" },
  ringing: { connected: "connected", failed: "failed" },
  connected: { completed: "completed", failed: "failed" },
  completed: {},
  failed: {},
  expired: {},
  rejected: {},
  no_bid: {},
};

/**
 * Moves only a carrier's signed callbacks make, beyond TRANSITIONS: callbacks may arrive out of order or
 * be lost, and the buyer leg's `completed` carries the carrier's measured duration, so a carrier
 * `completed` settles on that duration even when `connected` never arrived (or arrives after).
 */
export const CARRIER_TRANSITIONS: Partial<
  Record<CallStatus, Partial<Record<CallEventCommand["type"], CallStatus>>>
> = {
  routed: { completed: "completed" },
  ringing: { completed: "completed" },
};

export const TERMINAL: ReadonlySet<CallStatus> = new Set([
  "completed",
  "failed",
  "expired",
  "rejected",
  "no_bid",
]);

/** The status an event leads to, or a coded refusal. A replayed event id returns its first outcome. */
export function nextStatus(
  state: CallState,
  cmd: CallEventCommand,
): Result<{ status: CallStatus; replay: boolean }> {
  if (state.channel && cmd.source !== "carrier") {
    return refuse(
      "carrier_managed_call",
      `this call came through ${state.channel.provider}: its lifecycle comes from the carrier's callbacks, and the carrier's measured duration is the one billed`,
    );
  }
  if (
    cmd.source === "carrier" &&
    (!state.channel || (cmd.provider && cmd.provider !== state.channel.provider))
  ) {
    return refuse(
      "illegal_transition",
      state.channel
        ? `this call came through ${state.channel.provider}, not ${cmd.provider}`
        : "this call did not come through a carrier: its lifecycle is the seller's to report",
    );
  }
  const seen = state.appliedEvents[cmd.eventId];
  if (seen) return ok({ status: seen, replay: true });
  // A late callback about a routing the call has left (a re-routed attempt's leg): nothing changes.
  if (cmd.bidId !== undefined && cmd.bidId !== state.decision.bidId) {
    return ok({ status: state.status, replay: true });
  }
  if (state.endReason === "max_duration_exceeded") {
    return refuse(
      "max_duration_exceeded",
      `the exchange ended this call at its maximum call duration (${maxCallDurationSec(state)}s from routing) with no end reported; it was released unbilled and takes no "${cmd.type}"`,
    );
  }
  const carrier = cmd.source === "carrier" ? CARRIER_TRANSITIONS[state.status] : undefined;
  const to = TRANSITIONS[state.status][cmd.type] ?? carrier?.[cmd.type];
  if (!to) {
    const allowed = Object.keys({ ...TRANSITIONS[state.status], ...carrier });
    return refuse(
      "illegal_transition",
      `a ${state.status} call cannot take "${cmd.type}"; allowed: ${allowed.length ? allowed.join(", ") : "none (final)"}`,
    );
  }
  if (to === "completed" && cmd.type === "completed") {
    if (cmd.durationSec === undefined || !Number.isInteger(cmd.durationSec) || cmd.durationSec < 0) {
      return refuse("illegal_transition", "a completed event needs durationSec, a non-negative integer");
    }
  }
  return ok({ status: to, replay: false });
}

/** Billable when the connected duration reaches the buyer's minimum. Payout never exceeds the charge. */
export function billingFor(
  durationSec: number,
  minDurationSec: number,
  priceMicros: Micros,
  payoutMicros: Micros,
): Billing {
  if (durationSec < minDurationSec) {
    return {
      billable: false,
      chargedMicros: 0,
      payoutMicros: 0,
      marginMicros: 0,
      reason: `connected ${durationSec}s, below the ${minDurationSec}s minimum`,
    };
  }
  const payout = Math.min(payoutMicros, priceMicros);
  return {
    billable: true,
    chargedMicros: priceMicros,
    payoutMicros: payout,
    marginMicros: priceMicros - payout,
  };
}

/** A call that failed (never answered, or ended in error) is never billed, whatever its buyer's minimum. */
export function failedBilling(): Billing {
  return {
    billable: false,
    chargedMicros: 0,
    payoutMicros: 0,
    marginMicros: 0,
    reason: "the call failed; a failed call is never billed",
  };
}

/** Failure reasons after which the next bid is tried (the buyer never picked up). */
const UNANSWERED = new Set(["no_answer", "busy", "unanswered", "timeout", "unreachable"]);

/** How far below its own minimum a buyer's hang-up is flagged (a buyer dodging the charge). */
export const BELOW_MINIMUM_FLAG_SEC = 5;

/** Whether the buyer hung up just below its own billing minimum (within BELOW_MINIMUM_FLAG_SEC). */
export function buyerHungUpBelowMinimum(
  durationSec: number,
  minDurationSec: number,
  hangupBy: CallEventCommand["hangupBy"],
): boolean {
  return (
    hangupBy === "buyer" &&
    durationSec < minDurationSec &&
    durationSec >= minDurationSec - BELOW_MINIMUM_FLAG_SEC
  );
}

/**
 * Revenue recovery: whether the call should go to the next bid after this event — a failed attempt the
 * buyer never answered, or an unbilled call the buyer hung up before `belowSec` — within the limit.
 */
export function shouldReroute(
  state: CallState,
  cmd: CallEventCommand,
  billing: Billing | undefined,
): boolean {
  const reroute = state.reroute;
  if (!reroute || !((state.attempts?.length ?? 1) <= reroute.max)) return false;
  if (cmd.type === "failed") return state.status !== "connected" && UNANSWERED.has(cmd.reason ?? "no_answer");
  if (cmd.type === "completed") {
    return cmd.hangupBy === "buyer" && !billing?.billable && (cmd.durationSec ?? 0) < reroute.belowSec;
  }
  return false;
}

/** What a call document keeps of its caller after a data-subject erasure, in place of the keyed hash. */
export const ERASED_CALLER = "erased";
/** Offer request hashes keyed with the PII hash key carry this prefix; older ones are plain SHA-256. */
export const KEYED_REQUEST_HASH = "rh1_";

/**
 * Whether a repeated offer is the same request. Documents stored before request hashes were keyed hold
 * a plain SHA-256, compared with the one the API sends alongside (it is never stored again). Once the
 * caller is erased the hash is gone (it was computed over a body holding the number), so a replay under
 * the seller's own Idempotency-Key answers the stored decision, which holds no personal data.
 */
export function sameOffer(stored: string, cmd: { requestHash: string; legacyRequestHash?: string }): boolean {
  if (stored === cmd.requestHash || stored === ERASED_CALLER) return true;
  return !stored.startsWith(KEYED_REQUEST_HASH) && stored === cmd.legacyRequestHash;
}

/**
 * The call without its caller's keyed hash and ciphertext (area code, state and zip stay: they do not
 * single a person out), or null when there is nothing left to forget. The request hash goes too, keyed
 * or not: it was computed over a body holding the number, so whoever holds the hashing key could find
 * the number from it as from the phone hash (replays still answer: see sameOffer).
 */
export function withoutCaller(s: CallState): CallState | null {
  const hashed = s.requestHash !== ERASED_CALLER;
  if ((s.caller.hash === undefined || s.caller.hash === ERASED_CALLER) && !s.caller.ciphertext && !hashed)
    return null;
  const { hash: _h, ciphertext: _c, ...kept } = s.caller;
  return { ...s, requestHash: ERASED_CALLER, caller: { ...kept, hash: ERASED_CALLER } };
}
