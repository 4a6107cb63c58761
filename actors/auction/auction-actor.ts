// AuctionActor: one auction per call. Finds candidates in the targeting index, collects bids, ranks
// them with the pure rules and asks the winners' buyer actors to reserve, best first.
import type { IBuyerActor } from "../buyer/buyer-api.ts";
import { pushCompensation } from "../call/saga.ts";
import { systemCtx } from "../kernel/ctx.ts";
import { domainEvent } from "../kernel/events.ts";
import { ok, type Result, refuse } from "../kernel/result.ts";
import { buyersSuppressing, suppressionsOf } from "../platform/compliance-store.ts";
import { actorProxy } from "../platform/dapr-client.ts";
import { actorDeps } from "../runtime/actor-runtime.ts";
import { DocumentActor } from "../runtime/document-actor.ts";
import { candidateCampaigns } from "../runtime/targeting-index.ts";
import type {
  AuctionOutcome,
  AuctionState,
  AuctionWinner,
  IAuctionActor,
  Loser,
  NextBidCommand,
  RunAuctionCommand,
} from "./auction-api.ts";
import { collectBids, notifyLiveOutcome } from "./bid-sources.ts";
import { prefilterRefusal } from "./candidates.ts";
import { reserveInOrder } from "./reserve-order.ts";
import { loserOf, rankBids } from "./rules.ts";

const MAX_LOSERS_KEPT = 50;
/**
 * Bids ranked below the winner that a re-route may still try (besides those tried before it). A call
 * is re-routed at most 5 times, each time to the best bid left whose buyer accepts; keeping every bid
 * of a 1,000-candidate auction made each auction's document about 330 KB, written through the sidecar
 * into Redis for every offer.
 */
export const REROUTE_BIDS_KEPT = 50;

export class AuctionActor extends DocumentActor<AuctionState> implements IAuctionActor {
  /** Asks buyers to reserve, best bid first; the first to accept wins. Refusals become losers. */
  private async reserveFirst(
    ordered: Ordered,
    call: RunAuctionCommand["call"],
    routingTtlSec: number,
    skipBuyers: Set<string>,
    losers: Loser[],
  ): Promise<{ index: number; winner: AuctionWinner } | undefined> {
    const client = this.getDaprClient();
    const taken = await reserveInOrder(
      ordered,
      { nowMs: systemCtx.now, skipBuyers },
      async (bid, priceMicros, offered) => {
        // The call's saga: the undo step is journalled before the hold can exist.
        await pushCompensation(
          actorDeps().redis,
          { kind: "buyer.release", buyerId: bid.buyerId, callId: call.callId },
          systemCtx.now(),
        );
        return actorProxy<IBuyerActor>(client, "BuyerActor", bid.buyerId).reserve({
          callId: call.callId,
          campaignId: bid.campaignId,
          priceMicros,
          bid: offered,
          call,
          ttlMs: routingTtlSec * 1000 + 4 * 3600_000, // held through the call; swept if never settled
        });
      },
      losers,
    );
    if (taken === undefined) return undefined;
    const { bid, priceMicros, accepted } = taken;
    const winner: AuctionWinner = {
      bidId: bid.bidId,
      buyerId: bid.buyerId,
      campaignId: bid.campaignId,
      priceMicros,
      // An RTB bid may name its own destination; any other uses the campaign's, as the buyer holds it.
      destination: bid.destination ?? accepted.destination,
      minDurationSec: accepted.minDurationSec,
      expiresAt: systemCtx.now() + routingTtlSec * 1000,
    };
    return { index: taken.index, winner };
  }

  async next(cmd: NextBidCommand): Promise<Result<{ winner: AuctionWinner | null }>> {
    const state = await this.load();
    if (!state) return refuse("call_unknown", `no auction for ${this.getActorId().getId()}`);
    const losers: Loser[] = [];
    const skip = new Set(cmd.excludeBuyerIds);
    // Suppressions added since the offer count too: a caller who opted out meanwhile (exchange-wide) is
    // re-routed to nobody, and a buyer who suppressed the caller meanwhile is passed over.
    const suppressed = await suppressionsOf(actorDeps().redis, cmd.call.callerHash);
    for (const { bid } of state.ordered) {
      if (skip.has(bid.buyerId) || !(suppressed.exchange || suppressed.buyers.has(bid.buyerId))) continue;
      losers.push(loserOf(bid, suppressed.exchange ? "dnc_suppressed" : "buyer_suppressed"));
      skip.add(bid.buyerId);
    }
    const taken = await this.reserveFirst(state.ordered, cmd.call, cmd.routingTtlSec, skip, losers);
    const now = systemCtx.now();
    const next: AuctionState = {
      ...state,
      outcome: { ...state.outcome, winner: taken?.winner ?? state.outcome.winner },
      rerouted: [...(state.rerouted ?? []), ...(taken ? [taken.winner.bidId] : [])],
    };
    const agg = { type: "auction", id: state.callId } as const;
    const cause = `next_${(state.rerouted ?? []).length + 1}`;
    await this.commit(next, [
      domainEvent("auction.rerouted", agg, cause, now, {
        winner: taken?.winner ?? null,
        refused: losers.length,
      }),
    ]);
    return ok({ winner: taken?.winner ?? null });
  }

  async run(cmd: RunAuctionCommand): Promise<Result<AuctionOutcome>> {
    const existing = await this.load();
    if (existing && existing.attemptId === cmd.attemptId) return ok(existing.outcome);
    const { redis } = actorDeps();
    const started = systemCtx.now();
    const { call, terms } = cmd;

    const losers: Loser[] = [];
    const [campaigns, suppressedBy] = await Promise.all([
      candidateCampaigns(redis, call),
      buyersSuppressing(redis, call.callerHash),
    ]);
    const eligible = campaigns.filter((c) => {
      const refusal = prefilterRefusal(c, call, started, suppressedBy);
      if (refusal)
        losers.push({
          bidId: "",
          buyerId: c.buyerId,
          campaignId: c.id,
          amountMicros: c.bidMicros,
          reason: refusal,
        });
      return refusal === undefined;
    });
    const collected = await collectBids(
      eligible,
      {
        call,
        caller: cmd.caller,
        exposeCallerId: cmd.exposeCallerId ?? false,
        sellerId: cmd.sellerId ?? "",
        sellerCampaignId: cmd.sellerCampaignId ?? "",
        reserveMicros: terms.reserveMicros,
        deadlineMs: started + terms.maxAuctionMs,
      },
      systemCtx,
    );
    const bids = collected.bids;
    losers.push(...collected.losers);
    const ranking = rankBids(bids, terms, systemCtx.now());
    losers.push(...ranking.losers);

    const taken = await this.reserveFirst(ranking.ordered, cmd.call, cmd.routingTtlSec, new Set(), losers);
    let outcome: AuctionOutcome | undefined;
    if (taken) {
      for (const rest of ranking.ordered.slice(taken.index + 1)) losers.push(loserOf(rest.bid, "outbid"));
      outcome = {
        winner: taken.winner,
        summary: summary(campaigns.length, bids.length, terms, losers, started),
      };
    }
    outcome ??= {
      reason: {
        code: "no_eligible_buyers",
        detail: `${campaigns.length} candidate campaigns, ${bids.length} bids, none could take the call`,
      },
      summary: summary(campaigns.length, bids.length, terms, losers, started),
    };
    const state: AuctionState = {
      schema: 1,
      callId: call.callId,
      outcome,
      // The bids tried up to the winner too: one that refused then (a full concurrency slot) may accept
      // when the call is re-routed.
      ordered: taken ? ranking.ordered.slice(0, taken.index + 1 + REROUTE_BIDS_KEPT) : [],
      closedAt: new Date(systemCtx.now()).toISOString(),
      ...(cmd.attemptId ? { attemptId: cmd.attemptId } : {}),
    };
    const agg = { type: "auction", id: call.callId } as const;
    await this.commit(state, [
      domainEvent("auction.closed", agg, "close", systemCtx.now(), {
        winner: outcome.winner ?? null,
        reason: outcome.reason ?? null,
        candidates: outcome.summary.candidates,
        bids: outcome.summary.bids,
      }),
    ]);
    void notifyLiveOutcome(collected.live, call.callId, outcome);
    return ok(outcome);
  }
}

type Ordered = AuctionState["ordered"];

function summary(
  candidates: number,
  bids: number,
  terms: RunAuctionCommand["terms"],
  losers: Loser[],
  started: number,
): AuctionOutcome["summary"] {
  return {
    candidates,
    bids,
    auctionType: terms.type,
    reserveMicros: terms.reserveMicros,
    losers: losers.slice(0, MAX_LOSERS_KEPT),
    durationMs: systemCtx.now() - started,
  };
}
