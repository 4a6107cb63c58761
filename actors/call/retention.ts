// How long a call's documents stay in Redis: until the call can no longer change, then the retention
// (DCE_CALL_RETENTION_SEC), after which Postgres (the calls read model) is the call's only record.
//
// A call can still change while it is routed, ringing or connected (lifecycle events, re-routes to the
// next bid, the routing expiry) and while a billable completion's settlement is pending (`settling`:
// the capture may have happened, the document holds the intent that finishes it). Once final
// (completed, failed, expired, rejected, no_bid) without a pending settlement, nothing changes it
// again: the retention only keeps it for replays (a repeated offer or event answers as the first
// time) and for GET with every detail. Disputes and refunds never read it (they use the ledger and the
// buyer's settlement records), so the dispute window does not keep it.
import type { CallState } from "./call-api.ts";
import { TERMINAL } from "./rules.ts";

/**
 * When the call's documents may expire (epoch ms), or null while the call can still change. Counted
 * from when the call ended (`endedAt`, on the actor host's clock like `nowMs`), so a later write to a
 * final call (an erasure) keeps the same deadline; a refused offer has no end time, so from the write
 * (its `offeredAt` is the API's clock, which a test or a skewed host may set far from this one).
 */
export function callExpiresAt(state: CallState, retentionMs: number, nowMs: number): number | null {
  if (!TERMINAL.has(state.status) || state.settling || state.conversion?.status === "awaiting") return null;
  const ended = state.timeline.endedAt === undefined ? Number.NaN : Date.parse(state.timeline.endedAt);
  return (Number.isFinite(ended) ? ended : nowMs) + retentionMs;
}

/**
 * An auction's document outlives its call's routing by at most this before its call finishes it: the
 * call sets the auction's expiry to its own when it becomes final, so this only bounds an auction whose
 * call never saved (an offer that crashed and was never retried). Calls end well within it: a routing
 * expires in minutes, and an answered call ends by its maximum duration.
 */
export const AUCTION_OPEN_CALL_MS = 86_400_000;

export function auctionExpiresAt(closedAt: string, retentionMs: number): number {
  const closed = Date.parse(closedAt);
  return (Number.isFinite(closed) ? closed : 0) + AUCTION_OPEN_CALL_MS + retentionMs;
}
