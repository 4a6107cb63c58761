// Where a call's auction runs. With every eligible bid a standing one (no RTB campaign, no live buyer
// connected), inline in the call's turn: no AuctionActor activation, no state write of its own, the
// ranked bids kept in the call's document for re-routing. Otherwise in the call's AuctionActor, which
// live bidders and RTB endpoints answer within the deadline. DCE_INLINE_AUCTIONS=0 always uses the
// actor (to measure one against the other: npm run bench).
import type {
  AuctionOutcome,
  AuctionState,
  AuctionWinner,
  IAuctionActor,
  NextBidCommand,
  RunAuctionCommand,
} from "../auction/auction-api.ts";
import {
  auctionClosed,
  closeAuction,
  findCandidates,
  nextWinner,
  standingOnly,
} from "../auction/run-auction.ts";
import type { DomainEvent } from "../kernel/events.ts";
import { ok, type Result } from "../kernel/result.ts";
import { actorProxy } from "../platform/dapr-client.ts";
import type { ActorDeps } from "../runtime/actor-runtime.ts";

export interface Ran {
  outcome: AuctionOutcome;
  /** An inline auction's ranked bids for re-routing (kept only when the campaign re-routes). */
  rerouteBids?: AuctionState["ordered"];
  /** An inline auction's own event, saved with the call's. */
  events: DomainEvent[];
}

export async function runCallAuction(
  deps: ActorDeps,
  cmd: RunAuctionCommand,
  keepForReroute: boolean,
): Promise<Result<Ran>> {
  if (deps.config.inlineAuctions) {
    const found = await findCandidates(deps.redis, cmd.call);
    if (await standingOnly(deps.redis, found)) {
      const closed = await closeAuction(deps, cmd, found);
      const agg = { type: "auction", id: cmd.call.callId } as const;
      return ok({
        outcome: closed.outcome,
        ...(keepForReroute && closed.ordered.length > 0 ? { rerouteBids: closed.ordered } : {}),
        events: [auctionClosed(agg, closed.outcome, closed.inputs)],
      });
    }
  }
  const ran = await actorProxy<IAuctionActor>(deps.client, "AuctionActor", cmd.call.callId).run(cmd);
  return ran.ok ? ok({ outcome: ran.value, events: [] }) : ran;
}

/** Re-routing: inline over the bids the call kept, or the AuctionActor's `next`. */
export async function nextCallWinner(
  deps: ActorDeps,
  rerouteBids: AuctionState["ordered"] | undefined,
  cmd: NextBidCommand,
): Promise<AuctionWinner | undefined> {
  if (rerouteBids) return (await nextWinner(deps, rerouteBids, cmd)).winner;
  const found = await actorProxy<IAuctionActor>(deps.client, "AuctionActor", cmd.call.callId).next(cmd);
  return found.ok ? (found.value.winner ?? undefined) : undefined;
}
