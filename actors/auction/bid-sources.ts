// Collecting bids for one auction from its eligible campaigns, all sources in parallel within the
// auction's deadline: standing campaign bids, RTB pings, and buyers connected live over a WebSocket.
// With no RTB campaign and no live buyer among the eligible, nothing waits (one presence lookup only).
// The I/O sits behind BidSources, so the offer fixtures mock each source's reply and run the rest.
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
import type { ActorDeps } from "../runtime/actor-runtime.ts";
import { postPing, publisherId } from "../runtime/rtb-client.ts";
import type { AuctionOutcome, Bid, Loser } from "./auction-api.ts";
import { buildPing, type PingFacts, type RtbExchange, type RtbPing, readAnswer } from "./rtb.ts";
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
  /** The eligible buyers already found connected live for this auction (no second presence lookup). */
  present?: ReadonlySet<string>;
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

/**
 * The I/O behind bid collection, injected so acceptance fixtures can mock every source's reply at this
 * seam and run the rest (standing bids, reading RTB answers, live answers as bids, one per campaign).
 */
export interface BidSources {
  /** What every ping carries beside the call: the publisher id and, when allowed, the caller's number. */
  pingFacts(req: BidRequest): Promise<Omit<PingFacts, "call" | "reserveMicros" | "deadlineMs">>;
  /** Posts one ping to the campaign's endpoint within `timeoutMs`; never throws. */
  postPing(campaign: TargetingEntry, ping: RtbPing, timeoutMs: number): Promise<RtbExchange>;
  /**
   * Offers the call to the live buyers' campaigns among `eligible` and reads their answers until the
   * deadline: who was offered (owed a notice) and what arrived.
   */
  liveAnswers(
    eligible: TargetingEntry[],
    req: BidRequest,
  ): Promise<{ live: LiveParticipant[]; answers: (LiveBidEntry & { arrivedAt: number })[] }>;
  /** An RTB endpoint's reply that lost (timeout, error, garbage, no bid), with why. */
  dropped(callId: string, campaignId: string, reason: string, detail: string): void;
}

export async function collectBids(
  eligible: TargetingEntry[],
  req: BidRequest,
  ctx: Ctx,
  deps: ActorDeps,
): Promise<CollectedBids> {
  if (eligible.length === 0) return { bids: [], losers: [], live: [] };
  return collectBidsFrom(daprSources(deps, ctx), eligible, req, ctx);
}

/** collectBids over the given sources: standing bids now, RTB and live answers in parallel. */
export async function collectBidsFrom(
  sources: BidSources,
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
  const [rtb, live] = await Promise.all([
    rtbBids(sources, eligible, req, ctx),
    liveBids(sources, eligible, req, ctx),
  ]);
  return {
    bids: oneBidPerCampaign([...standing, ...rtb.bids, ...live.bids]),
    losers: rtb.losers,
    live: live.live,
  };
}

/** Pings every RTB campaign at once, each with min(its timeout, time left to the deadline). */
async function rtbBids(sources: BidSources, eligible: TargetingEntry[], req: BidRequest, ctx: Ctx) {
  const campaigns = eligible.filter((c) => c.rtb);
  const bids: Bid[] = [];
  const losers: Loser[] = [];
  if (campaigns.length === 0) return { bids, losers };
  const facts: PingFacts = {
    call: req.call,
    reserveMicros: req.reserveMicros,
    deadlineMs: req.deadlineMs,
    ...(await sources.pingFacts(req)),
  };
  await Promise.all(
    campaigns.map(async (c) => {
      const timeoutMs = Math.min(c.rtb!.timeoutMs, req.deadlineMs - ctx.now());
      const exchange = await sources.postPing(c, buildPing(c, facts, ctx), timeoutMs);
      const read = readAnswer(c, exchange, ctx);
      if (read.ok) bids.push(read.bid);
      else {
        losers.push(read.loser);
        sources.dropped(req.call.callId, c.id, read.loser.reason, read.detail);
      }
    }),
  );
  return { bids, losers };
}

/** Live answers as bids on their campaigns' terms; only campaigns that were offered the call can bid. */
async function liveBids(sources: BidSources, eligible: TargetingEntry[], req: BidRequest, ctx: Ctx) {
  const { live, answers } = await sources.liveAnswers(eligible, req);
  const offered = new Set(live.map((p) => p.campaignId));
  const byId = new Map(eligible.filter((c) => offered.has(c.id)).map((c) => [c.id, c]));
  const bids: Bid[] = [];
  for (const e of answers) {
    const campaign = byId.get(e.campaignId);
    const bid = campaign && liveBid(campaign, e, ctx);
    if (bid) bids.push(bid);
  }
  return { bids, live };
}

/** The production sources: RTB through the egress guard, live buyers through Redis. */
function daprSources(deps: ActorDeps, ctx: Ctx): BidSources {
  const { redis, config, logger } = deps;
  const egress = { allowLocal: config.egressAllowLocal };
  return {
    async pingFacts(req) {
      const callerNumber =
        req.exposeCallerId && req.caller
          ? ((await revealNumber(redis, config.pii, req.caller).catch(() => null)) ?? undefined)
          : undefined;
      return { publisherId: publisherId(config.pii, req.sellerId), callerNumber };
    },
    postPing: (c, ping, timeoutMs) => postPing(c.rtb!.url, ping, timeoutMs, ctx.now, egress),
    async liveAnswers(eligible, req) {
      const buyers = [...new Set(eligible.map((c) => c.buyerId))];
      const present = req.present ?? (await liveBuyers(redis, buyers, ctx.now()));
      if (present.size === 0) return { live: [], answers: [] };
      const offered = eligible.filter((c) => present.has(c.buyerId));
      const notices = offered.map((c) => ({ buyerId: c.buyerId, notice: opportunity(c, req) }));
      const delivered = await publishNotices(redis, notices);
      const live = offered
        .filter((_, i) => delivered.has(i))
        .map((c) => ({ buyerId: c.buyerId, campaignId: c.id }));
      const expected = new Set(live.map((p) => `${p.buyerId}|${p.campaignId}`));
      const answers = await readLiveBids(redis, req.call.callId, expected, req.deadlineMs, ctx.now);
      return { live, answers };
    },
    dropped: (callId, campaignId, reason, detail) =>
      logger.debug({ callId, campaignId, reason, detail }, "auction.rtb_dropped"),
  };
}

/**
 * Tells each live participant its own outcome once the auction closed: `won` with its price, or `lost`
 * with a reason code. Fire and forget (never throws): the seller's routing answer does not wait for it.
 * Call it after the auction's state is committed: `void notifyLiveOutcome(deps, collected.live, callId, outcome)`.
 */
export async function notifyLiveOutcome(
  deps: ActorDeps,
  live: LiveParticipant[],
  callId: string,
  outcome: AuctionOutcome,
): Promise<void> {
  if (live.length === 0) return;
  const { redis, logger } = deps;
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
