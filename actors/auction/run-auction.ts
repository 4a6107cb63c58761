// One auction, wherever it runs: in its own AuctionActor (live bidders and RTB endpoints answer it
// within a deadline) or inline in the call's turn when every eligible bid is a standing one. Candidates,
// bid collection, ranking and best-first reservation (each hold journalled for the call's saga).
import type { IBuyerActor } from "../buyer/buyer-api.ts";
import type { TargetingEntry } from "../buyer/targeting.ts";
import { reservationTtlMs } from "../call/holds.ts";
import { pushCompensation } from "../call/saga.ts";
import { systemCtx } from "../kernel/ctx.ts";
import { domainEvent } from "../kernel/events.ts";
import { buyersSuppressing, suppressionsOf } from "../platform/compliance-store.ts";
import { actorProxy } from "../platform/dapr-client.ts";
import { liveBuyers } from "../platform/live-bids.ts";
import type { Redis } from "../platform/redis.ts";
import type { ActorDeps } from "../runtime/actor-runtime.ts";
import { candidateCampaigns } from "../runtime/targeting-index.ts";
import type {
  AuctionOutcome,
  AuctionState,
  AuctionWinner,
  Loser,
  NextBidCommand,
  RunAuctionCommand,
} from "./auction-api.ts";
import { type CollectedBids, collectBids } from "./bid-sources.ts";
import { prefilterRefusal } from "./candidates.ts";
import { type PackedInputs, packInputs } from "./inputs.ts";
import { reserveInOrder } from "./reserve-order.ts";
import { loserOf, rankBids } from "./rules.ts";

const MAX_LOSERS_KEPT = 50;
/**
 * Bids ranked below the winner that a re-route may still try (besides those tried before it). A call
 * is re-routed at most 5 times, each time to the best bid left whose buyer accepts; keeping every bid
 * of a 1,000-candidate auction made each auction's document about 330 KB.
 */
export const REROUTE_BIDS_KEPT = 50;

type Ordered = AuctionState["ordered"];

export interface Candidates {
  campaigns: TargetingEntry[];
  eligible: TargetingEntry[];
  losers: Loser[];
  startedMs: number;
  /** The eligible buyers connected live, when standingOnly has looked (bid collection asks no more). */
  present?: ReadonlySet<string>;
}

/** The targeting index's candidates for the call, pre-filtered (suppression, status, targeting, hours). */
export async function findCandidates(redis: Redis, call: RunAuctionCommand["call"]): Promise<Candidates> {
  const startedMs = systemCtx.now();
  const losers: Loser[] = [];
  const [campaigns, suppressedBy] = await Promise.all([
    candidateCampaigns(redis, call),
    buyersSuppressing(redis, call.callerHash),
  ]);
  const eligible = campaigns.filter((c) => {
    const refusal = prefilterRefusal(c, call, startedMs, suppressedBy);
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
  return { campaigns, eligible, losers, startedMs };
}

/** No RTB campaign and no live buyer among the eligible: nothing to wait for, the bids are standing. */
export async function standingOnly(redis: Redis, c: Candidates): Promise<boolean> {
  if (c.eligible.some((e) => e.rtb)) return false;
  const live = await liveBuyers(redis, [...new Set(c.eligible.map((e) => e.buyerId))], systemCtx.now());
  c.present = live;
  return live.size === 0;
}

/** Asks buyers to reserve, best bid first, journalling each undo step first; refusals become losers. */
export async function reserveFirst(
  deps: ActorDeps,
  ordered: Ordered,
  call: RunAuctionCommand["call"],
  routingTtlSec: number,
  skipBuyers: Set<string>,
  losers: Loser[],
  maxCallDurationSec?: number,
): Promise<{ index: number; winner: AuctionWinner } | undefined> {
  const taken = await reserveInOrder(
    ordered,
    { nowMs: systemCtx.now, skipBuyers },
    async (bid, priceMicros, offered) => {
      // The call's saga: the undo step is journalled before the hold can exist.
      await pushCompensation(
        deps.redis,
        { kind: "buyer.release", buyerId: bid.buyerId, callId: call.callId },
        systemCtx.now(),
      );
      return actorProxy<IBuyerActor>(deps.client, "BuyerActor", bid.buyerId).reserve({
        callId: call.callId,
        campaignId: bid.campaignId,
        priceMicros,
        bid: offered,
        call,
        // Held through the call: the call's sweeper ends it at its maximum duration; the buyer
        // sweeps it itself a grace later, should that sweeper not run.
        ttlMs: reservationTtlMs(routingTtlSec, maxCallDurationSec),
      });
    },
    losers,
  );
  if (taken === undefined) return undefined;
  const { bid, priceMicros, accepted } = taken;
  const winner: AuctionWinner = {
    bidId: bid.bidId,
    buyerId: bid.buyerId,
    buyerCampaignId: bid.campaignId,
    priceMicros,
    // An RTB bid may name its own destination; any other uses the campaign's, as the buyer holds it.
    destination: bid.destination ?? accepted.destination,
    minDurationSec: accepted.minDurationSec,
    expiresAtMs: systemCtx.now() + routingTtlSec * 1000,
    ...(accepted.conversionWindowSec !== undefined
      ? { conversion: { windowSec: accepted.conversionWindowSec } }
      : {}),
  };
  return { index: taken.index, winner };
}

export interface Closed {
  outcome: AuctionOutcome;
  /** For re-routing: the bids up to the winner and at most REROUTE_BIDS_KEPT below it, best first. */
  ordered: Ordered;
  collected: CollectedBids;
  /** What the decision was computed from, for the `auction.closed` event (receipts, replay). */
  inputs: PackedInputs;
}

/** Collects the bids, ranks them and reserves the best a buyer accepts. */
export async function closeAuction(
  deps: ActorDeps,
  cmd: RunAuctionCommand,
  found: Candidates,
): Promise<Closed> {
  const { call, terms } = cmd;
  const losers = [...found.losers];
  const collected = await collectBids(
    found.eligible,
    {
      call,
      caller: cmd.caller,
      exposeCallerId: cmd.exposeCallerId ?? false,
      sellerId: cmd.sellerId ?? "",
      sellerCampaignId: cmd.sellerCampaignId ?? "",
      reserveMicros: terms.reserveMicros,
      deadlineMs: found.startedMs + terms.maxAuctionMs,
      ...(found.present ? { present: found.present } : {}),
    },
    systemCtx,
    deps,
  );
  const bids = collected.bids;
  losers.push(...collected.losers);
  const rankedAtMs = systemCtx.now();
  const ranking = rankBids(bids, terms, rankedAtMs);
  losers.push(...ranking.losers);
  const beforeReserving = losers.length;
  const taken = await reserveFirst(
    deps,
    ranking.ordered,
    call,
    cmd.routingTtlSec,
    new Set(),
    losers,
    cmd.maxCallDurationSec,
  );
  const summary = (): AuctionOutcome["summary"] => ({
    candidates: found.campaigns.length,
    bids: bids.length,
    auctionType: terms.type,
    reserveMicros: terms.reserveMicros,
    losers: losers.slice(0, MAX_LOSERS_KEPT),
    durationMs: systemCtx.now() - found.startedMs,
  });
  const inputs = packInputs(cmd.sellerId ?? "", terms, rankedAtMs, bids, losers.slice(beforeReserving));
  if (taken) {
    for (const rest of ranking.ordered.slice(taken.index + 1)) losers.push(loserOf(rest.bid, "outbid"));
    return {
      outcome: { winner: taken.winner, summary: summary() },
      // The bids tried up to the winner too: one that refused then (a full concurrency slot) may accept
      // when the call is re-routed.
      ordered: ranking.ordered.slice(0, taken.index + 1 + REROUTE_BIDS_KEPT),
      collected,
      inputs,
    };
  }
  const reason = {
    code: "no_eligible_buyers" as const,
    detail: `${found.campaigns.length} candidate campaigns, ${bids.length} bids, none could take the call`,
  };
  return { outcome: { reason, summary: summary() }, ordered: [], collected, inputs };
}

/** Revenue recovery: the best remaining bid whose buyer accepts, skipping buyers tried or suppressing. */
export async function nextWinner(
  deps: ActorDeps,
  ordered: Ordered,
  cmd: NextBidCommand,
): Promise<{ winner: AuctionWinner | undefined; losers: Loser[] }> {
  const losers: Loser[] = [];
  const skip = new Set(cmd.excludeBuyerIds);
  // Suppressions added since the offer count too: a caller who opted out meanwhile (exchange-wide) is
  // re-routed to nobody, and a buyer who suppressed the caller meanwhile is passed over.
  const suppressed = await suppressionsOf(deps.redis, cmd.call.callerHash);
  for (const { bid } of ordered) {
    if (skip.has(bid.buyerId) || !(suppressed.exchange || suppressed.buyers.has(bid.buyerId))) continue;
    losers.push(loserOf(bid, suppressed.exchange ? "dnc_suppressed" : "buyer_suppressed"));
    skip.add(bid.buyerId);
  }
  const taken = await reserveFirst(
    deps,
    ordered,
    cmd.call,
    cmd.routingTtlSec,
    skip,
    losers,
    cmd.maxCallDurationSec,
  );
  return { winner: taken?.winner, losers };
}

/** The `auction.closed` event, raised by the AuctionActor or, for an inline auction, by the call. */
export function auctionClosed(
  agg: { type: "auction"; id: string },
  outcome: AuctionOutcome,
  inputs?: PackedInputs,
) {
  return domainEvent("auction.closed", agg, "close", systemCtx.now(), {
    winner: outcome.winner ?? null,
    reason: outcome.reason ?? null,
    candidates: outcome.summary.candidates,
    bids: outcome.summary.bids,
    ...(inputs ? { inputs } : {}),
  });
}
