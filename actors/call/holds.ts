// Holds that end: when a call still holding its buyer's reservation (routed, ringing, connected) is
// ended by the sweeper if the seller never reports its end, and why. Pure: the CallActor applies it.
import type { CallState, CallStatus } from "./call-api.ts";

/**
 * The longest a call may hold its buyer after it is routed (ringing and talking together), when its
 * seller campaign does not say: 4 h 10 min. Carriers cut a dialed leg at 4 h of talk by default
 * (Twilio's `<Dial timeLimit>` and Telnyx's time limit are both 14,400 s) and let it ring at most 10
 * min (Twilio's largest ring timeout, 600 s), so no call a carrier lets run on its defaults is cut
 * short; pay-per-call calls bill at 60–120 s minimums and last minutes, so a hold this long is a lost
 * `completed`, not a call.
 */
export const DEFAULT_MAX_CALL_DURATION_SEC = 15_000;
/** What a seller campaign may set: from 5 s (tests, and the routing TTL's own minimum) to 24 h. */
export const MAX_CALL_DURATION_MIN_SEC = 5;
export const MAX_CALL_DURATION_MAX_SEC = 86_400;
/**
 * How long past the call's own deadline the buyer keeps the reservation before sweeping it itself (on
 * its next reservation): a backstop for a sweeper that could not run, never the rule.
 */
export const BUYER_BACKSTOP_GRACE_SEC = 600;

export type HoldEndReason = "routing_expired" | "max_duration_exceeded" | "conversion_window_closed";
export interface HoldEnd {
  atMs: number;
  reason: HoldEndReason;
}

/** Statuses in which the call holds its buyer's reservation. */
export const HOLDING_STATUSES: readonly CallStatus[] = ["routed", "ringing", "connected"];
export const HOLDING: ReadonlySet<CallStatus> = new Set(HOLDING_STATUSES);

/** The call's maximum duration: its campaign's at admission, else the default. */
export const maxCallDurationSec = (s: Pick<CallState, "maxCallDurationSec">) =>
  s.maxCallDurationSec ?? DEFAULT_MAX_CALL_DURATION_SEC;

/** How long a carrier call's routing waits for its first callback at least (disclosure + longest ring). */
export const CARRIER_PLACEMENT_SEC = 150;

/**
 * When the call was routed to the buyer it holds now (the offer's routing, or the last re-route).
 * Documents saved before the instant was kept: the routing's expiry less its time to live.
 */
function routedAtMs(s: CallState): number | undefined {
  if (s.routedAtMs !== undefined) return s.routedAtMs;
  if (!s.routing) return undefined;
  return s.routing.expiresAtMs - (s.reroute?.routingTtlSec ?? 60) * 1000;
}

/**
 * When and why the call's hold ends unless the seller ends it first, or undefined when it holds
 * nothing (ended, never routed) or a billable completion is being settled (that finishes, never
 * expires). A routed call not yet placed ends at its routing's expiry; from routing on, any call ends
 * at its maximum duration, whichever comes first.
 */
export function holdEnd(s: CallState): HoldEnd | undefined {
  // A completed conversion-billed call holds its buyer until its conversion window closes.
  if (s.conversion?.status === "awaiting" && !s.settling)
    return { atMs: s.conversion.windowEndsAtMs, reason: "conversion_window_closed" };
  if (!HOLDING.has(s.status) || !s.decision.buyerId || !s.routing || s.settling) return undefined;
  const routed = routedAtMs(s);
  if (routed === undefined) return undefined;
  const max: HoldEnd = { atMs: routed + maxCallDurationSec(s) * 1000, reason: "max_duration_exceeded" };
  // A carrier call is being placed by the carrier from the moment it is routed (the disclosure, then up
  // to the longest ring), so its first callback may come later than a short routing TTL.
  const placedBy = s.channel
    ? Math.max(s.routing.expiresAtMs, routed + CARRIER_PLACEMENT_SEC * 1000)
    : s.routing.expiresAtMs;
  if (s.status === "routed" && placedBy <= max.atMs) return { atMs: placedBy, reason: "routing_expired" };
  return max;
}

/** The hold's end when it is due at `nowMs`. */
export function dueHoldEnd(s: CallState, nowMs: number): HoldEnd | undefined {
  const end = holdEnd(s);
  return end && end.atMs <= nowMs ? end : undefined;
}

/** The call ended by the exchange at its hold's end: expired, never billed, the reason kept. */
export function expiredCall(s: CallState, end: HoldEnd, nowMs: number): CallState {
  const next: CallState = {
    ...s,
    status: "expired",
    endReason: end.reason,
    timeline: { ...s.timeline, endedAt: new Date(nowMs).toISOString() },
  };
  if (end.reason === "routing_expired") return next;
  return {
    ...next,
    billing: {
      billable: false,
      chargedMicros: 0,
      payoutMicros: 0,
      marginMicros: 0,
      reason: `no completed or failed event within the maximum call duration (${maxCallDurationSec(s)}s from routing); never billed`,
    },
  };
}

/** The buyer's own backstop on a reservation: the call's deadline plus a grace (see above). */
export function reservationTtlMs(routingTtlSec: number, maxSec: number | undefined): number {
  return (Math.max(routingTtlSec, maxSec ?? DEFAULT_MAX_CALL_DURATION_SEC) + BUYER_BACKSTOP_GRACE_SEC) * 1000;
}
