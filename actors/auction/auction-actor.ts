// AuctionActor: the auction of one call that live bidders (WebSocket) and RTB endpoints answer within
// a deadline; a call whose eligible bids are all standing runs the same auction inline in its own turn
// (run-auction.ts). It keeps the ranked bids for re-routing.

import { auctionExpiresAt } from "../call/retention.ts";
import { systemCtx } from "../kernel/ctx.ts";
import { domainEvent } from "../kernel/events.ts";
import { ok, type Result, refuse } from "../kernel/result.ts";
import { DocumentActor } from "../runtime/document-actor.ts";
import type { Expiry } from "../runtime/document-store.ts";
import type {
  AuctionOutcome,
  AuctionState,
  AuctionWinner,
  IAuctionActor,
  NextBidCommand,
  RunAuctionCommand,
} from "./auction-api.ts";
import { notifyLiveOutcome } from "./bid-sources.ts";
import { auctionClosed, closeAuction, findCandidates, nextWinner } from "./run-auction.ts";

export { REROUTE_BIDS_KEPT } from "./run-auction.ts";

export class AuctionActor extends DocumentActor<AuctionState> implements IAuctionActor {
  async next(cmd: NextBidCommand): Promise<Result<{ winner: AuctionWinner | null }>> {
    const state = await this.load();
    if (!state) return refuse("call_unknown", `no auction for ${this.getActorId().getId()}`);
    const { winner, losers } = await nextWinner(this.deps(), state.ordered, cmd);
    const now = systemCtx.now();
    const next: AuctionState = {
      ...state,
      outcome: { ...state.outcome, winner: winner ?? state.outcome.winner },
      rerouted: [...(state.rerouted ?? []), ...(winner ? [winner.bidId] : [])],
    };
    const agg = { type: "auction", id: state.callId } as const;
    const cause = `next_${(state.rerouted ?? []).length + 1}`;
    await this.commit(next, [
      domainEvent("auction.rerouted", agg, cause, now, { winner: winner ?? null, refused: losers.length }),
    ]);
    return ok({ winner: winner ?? null });
  }

  /** Bounded even if its call never saves; the call's final write shortens it to the call's own. */
  protected override expiry(state: AuctionState): Expiry {
    return { atMs: auctionExpiresAt(state.closedAt, this.deps().config.callRetentionSec * 1000) };
  }

  async run(cmd: RunAuctionCommand): Promise<Result<AuctionOutcome>> {
    const existing = await this.load();
    if (existing && existing.attemptId === cmd.attemptId) return ok(existing.outcome);
    const found = await findCandidates(this.deps().redis, cmd.call);
    const closed = await closeAuction(this.deps(), cmd, found);
    const { outcome } = closed;
    const state: AuctionState = {
      schema: 1,
      callId: cmd.call.callId,
      outcome,
      ordered: closed.ordered,
      closedAt: new Date(systemCtx.now()).toISOString(),
      ...(cmd.attemptId ? { attemptId: cmd.attemptId } : {}),
    };
    const agg = { type: "auction", id: cmd.call.callId } as const;
    await this.commit(state, [auctionClosed(agg, outcome, closed.inputs)]);
    void notifyLiveOutcome(this.deps(), closed.collected.live, cmd.call.callId, outcome);
    return ok(outcome);
  }
}
