// Collecting bids for one auction from its eligible campaigns, all sources in parallel within the
// auction's deadline: standing campaign bids, RTB pings, and buyers connected live over a WebSocket.
// With no RTB campaign and no live buyer among the eligible, nothing waits (one presence lookup only).
import type { CallFacts } from "../buyer/buyer-api.ts";
import type { TargetingEntry } from "../buyer/targeting.ts";
import type { Ctx } from "../kernel/ctx.ts";
import {
  type LiveBidEntry,
  type LiveNotice,
  type LiveOpportunity,
  liveBuyers,
  publishNotices,
  readLiveBids,
} from "../platform/live-bids.ts";
import { revealNumber } from "../platform/pii.ts";
import { type ActorDeps, actorDeps } from "../runtime/actor-runtime.ts";
import { postPing, publisherId } from "../runtime/rtb-client.ts";
import type { AuctionOutcome, Bid, Loser } from "./auction-api.ts";
import { buildPing, readAnswer } from "./rtb.ts";
import { standingBids } from "./rules.ts";

export interface BidRequest {
  call: CallFacts;
  /** The caller's protected number; revealed to RTB endpoints only when the seller allows it. */
  caller?: { hash: string; ciphertext: string };
  exposeCallerId: boolean;
  sellerId: string;
  sellerCampaignId: string;
  reserveMicros: number;
  /** Epoch ms by which every bid must have arrived (auction start + the seller's maxAuctionMs). */
  deadlineMs: number;
}

/** A live buyer's campaign that was sent an opportunity. */
export interface LiveParticipant {
  buyerId: string;
  campaignId: string;
}

export interface CollectedBids {
  /** At most one bid per campaign: the highest of its standing, RTB and live bids. */
  bids: Bid[];
  /** RTB endpoints that timed out, failed, answered garbage or declined. */
  losers: Loser[];
  /** Live buyers' campaigns that were sent the opportunity: they are owed a won/lost notice. */
  live: LiveParticipant[];
}

export async function collectBids(
  eligible: TargetingEntry[],
  req: BidRequest,
  ctx: Ctx,
): Promise<CollectedBids> {
  const standing = standingBids(
    eligible.filter((c) => !c.rtb),
    ctx.now(),
    ctx,
  );
  if (eligible.length === 0) return { bids: standing, losers: [], live: [] };
  const deps = actorDeps();
  const [rtb, live] = await Promise.all([
    rtbBids(eligible, req, ctx, deps),
    liveBids(eligible, req, ctx, deps),
  ]);
  return {
    bids: oneBidPerCampaign([...standing, ...rtb.bids, ...live.bids]),
    losers: rtb.losers,
    live: live.live,
  };
}

/** Pings every RTB campaign at once, each with min(its timeout, time left to the deadline). */
async function rtbBids(eligible: TargetingEntry[], req: BidRequest, ctx: Ctx, deps: ActorDeps) {
  const campaigns = eligible.filter((c) => c.rtb);
  const bids: Bid[] = [];
  const losers: Loser[] = [];
  if (campaigns.length === 0) return { bids, losers };
  const { redis, config, logger } = deps;
  const callerNumber =
    req.exposeCallerId && req.caller
      ? ((await revealNumber(redis, config.pii, req.caller).catch(() => null)) ?? undefined)
      : undefined;
  const egress = { allowLocal: config.egressAllowLocal };
  const facts = {
    call: req.call,
    publisherId: publisherId(config.pii, req.sellerId),
    reserveMicros: req.reserveMicros,
    deadlineMs: req.deadlineMs,
    callerNumber,
  };
  await Promise.all(
    campaigns.map(async (c) => {
      const timeoutMs = Math.min(c.rtb!.timeoutMs, req.deadlineMs - ctx.now());
      const exchange = await postPing(c.rtb!.url, buildPing(c, facts, ctx), timeoutMs, ctx.now, egress);
      const read = readAnswer(c, exchange, ctx);
      if (read.ok) bids.push(read.bid);
      else {
        losers.push(read.loser);
        logger.debug(
          { callId: req.call.callId, campaignId: c.id, reason: read.loser.reason, detail: read.detail },
          "auction.rtb_dropped",
        );
      }
    }),
  );
  return { bids, losers };
}

/** Offers the call to live buyers' eligible campaigns and reads their bids until the deadline. */
async function liveBids(eligible: TargetingEntry[], req: BidRequest, ctx: Ctx, deps: ActorDeps) {
  const buyers = [...new Set(eligible.map((c) => c.buyerId))];
  const present = await liveBuyers(deps.redis, buyers, ctx.now());
  if (present.size === 0) return { bids: [], live: [] };
  const offered = eligible.filter((c) => present.has(c.buyerId));
  const notices = offered.map((c) => ({ buyerId: c.buyerId, notice: opportunity(c, req) }));
  const delivered = await publishNotices(deps.redis, notices);
  const live = offered
    .filter((_, i) => delivered.has(i))
    .map((c) => ({ buyerId: c.buyerId, campaignId: c.id }));
  const expected = new Set(live.map((p) => `${p.buyerId}|${p.campaignId}`));
  const entries = await readLiveBids(deps.redis, req.call.callId, expected, req.deadlineMs, ctx.now);
  const byId = new Map(offered.map((c) => [c.id, c]));
  const bids: Bid[] = [];
  for (const e of entries) {
    const campaign = byId.get(e.campaignId);
    const bid = campaign && liveBid(campaign, e, ctx);
    if (bid) bids.push(bid);
  }
  return { bids, live };
}

/**
 * Tells each live participant its own outcome once the auction closed: `won` with its price, or `lost`
 * with a reason code. Fire and forget (never throws): the seller's routing answer does not wait for it.
 * Call it after the auction's state is committed: `void notifyLiveOutcome(collected.live, callId, outcome)`.
 */
export async function notifyLiveOutcome(
  live: LiveParticipant[],
  callId: string,
  outcome: AuctionOutcome,
): Promise<void> {
  if (live.length === 0) return;
  const { redis, logger } = actorDeps();
  await publishNotices(redis, outcomeNotices(live, callId, outcome)).catch((err: unknown) =>
    logger.warn({ err, callId }, "auction.live_notice_failed"),
  );
}

// ---- pure parts -----------------------------------------------------------------------------------

/**
 * One bid per campaign: the highest amount wins, a tie keeps the earlier one (input order: standing
 * first). So a live bid replaces its campaign's standing bid only when higher: the standing bid is the
 * price the buyer committed to, and a live buyer can raise it for one call but not undercut it.
 */
export function oneBidPerCampaign(bids: readonly Bid[]): Bid[] {
  const best = new Map<string, Bid>();
  for (const b of bids) {
    const held = best.get(b.campaignId);
    if (!held || b.amountMicros > held.amountMicros) best.set(b.campaignId, b);
  }
  return [...best.values()];
}

/** The opportunity a live buyer receives for one eligible campaign: call facts, never the number. */
export function opportunity(c: TargetingEntry, req: BidRequest): LiveOpportunity {
  const { call } = req;
  return {
    type: "opportunity",
    auctionId: call.callId,
    callId: call.callId,
    campaignId: c.id,
    vertical: call.vertical,
    callerState: call.callerState,
    callerZip: call.callerZip,
    areaCode: call.areaCode,
    tags: call.tags,
    reserveMicros: req.reserveMicros,
    deadline: new Date(req.deadlineMs).toISOString(),
  };
}

/** A live answer as a bid on its campaign's terms; 0 (or less, or not an integer) is no bid. */
export function liveBid(
  c: TargetingEntry,
  e: LiveBidEntry & { arrivedAt: number },
  ctx: Ctx,
): Bid | undefined {
  if (e.buyerId !== c.buyerId || !Number.isSafeInteger(e.bidMicros) || e.bidMicros <= 0) return undefined;
  return {
    bidId: ctx.newId("bid"),
    buyerId: c.buyerId,
    campaignId: c.id,
    amountMicros: e.bidMicros,
    priority: c.priority,
    weight: c.weight,
    receivedAt: e.arrivedAt,
    source: "live",
  };
}

/** Each participant's own outcome; a loser learns its reason code, never the winner or the price. */
export function outcomeNotices(live: LiveParticipant[], callId: string, outcome: AuctionOutcome) {
  const w = outcome.winner;
  const reasons = new Map(outcome.summary.losers.map((l) => [`${l.buyerId}|${l.campaignId}`, l.reason]));
  return live.map((p): { buyerId: string; notice: LiveNotice } => {
    const won = w !== undefined && w.buyerId === p.buyerId && w.buyerCampaignId === p.campaignId;
    const notice: LiveNotice = won
      ? { type: "won", callId, campaignId: p.campaignId, priceMicros: w.priceMicros }
      : {
          type: "lost",
          callId,
          campaignId: p.campaignId,
          reason:
            reasons.get(`${p.buyerId}|${p.campaignId}`) ??
            (w ? "outbid" : (outcome.reason?.code ?? "outbid")),
        };
    return { buyerId: p.buyerId, notice };
  });
}
