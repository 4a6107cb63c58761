// Pure seller rules: profile creation, campaign validation and upsert, and admitting a call.
import { periodKeys } from "../buyer/schedule.ts";
import type { Ctx } from "../kernel/ctx.ts";
import { isMicros, type Micros, shareOf } from "../kernel/money.ts";
import { ok, type Result, refuse } from "../kernel/result.ts";
import type { AdmitCommand, AdmittedTerms, Payout, SellerCampaign, SellerState } from "./seller-api.ts";

const RECENT_ADMITS = 500;
export const MAX_AUCTION_MS = 2_000;

export function newSellerState(
  cmd: { sellerId: string; name: string; timezone: string },
  ctx: Ctx,
): SellerState {
  const at = new Date(ctx.now()).toISOString();
  return {
    schema: 1,
    sellerId: cmd.sellerId,
    name: cmd.name,
    status: "active",
    timezone: cmd.timezone,
    campaigns: {},
    counters: {},
    recentAdmits: {},
    createdAt: at,
    updatedAt: at,
  };
}

export function campaignProblems(c: SellerCampaign): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const bad = (field: string, message: string) => problems.push({ field, message });
  if (!isMicros(c.reserveMicros) || c.reserveMicros < 0)
    bad("reserveMicros", "must be a non-negative integer");
  if (!Number.isInteger(c.maxAuctionMs) || c.maxAuctionMs < 10 || c.maxAuctionMs > MAX_AUCTION_MS) {
    bad("maxAuctionMs", `must be an integer from 10 to ${MAX_AUCTION_MS}`);
  }
  if (!Number.isInteger(c.routingTtlSec) || c.routingTtlSec < 5 || c.routingTtlSec > 3600) {
    bad("routingTtlSec", "must be an integer from 5 to 3600");
  }
  if (!Number.isInteger(c.reroute?.max) || c.reroute.max < 0 || c.reroute.max > 5) {
    bad("reroute.max", "must be an integer from 0 to 5");
  }
  if (!Number.isInteger(c.reroute?.belowSec) || c.reroute.belowSec < 0 || c.reroute.belowSec > 600) {
    bad("reroute.belowSec", "must be an integer from 0 to 600");
  }
  if (c.payout.type === "fixed" && (!isMicros(c.payout.amountMicros) || c.payout.amountMicros < 0)) {
    bad("payout.amountMicros", "must be a non-negative integer");
  }
  if (c.payout.type === "share" && basisPoints(c.payout.percent) === undefined) {
    bad("payout.percent", "must be between 0 and 100 with at most two decimals");
  }
  if (c.trafficType !== undefined && !["inbound", "outbound", "callback"].includes(c.trafficType)) {
    bad("trafficType", 'must be "inbound", "outbound" or "callback"');
  }
  if (c.minAttestation !== undefined && !["A", "B", "C"].includes(c.minAttestation)) {
    bad("minAttestation", 'must be "A", "B" or "C"');
  }
  for (const w of ["per15m", "per1h", "per24h"] as const) {
    const v = c.velocity?.[w];
    if (v !== undefined && (!Number.isInteger(v) || v < 1))
      bad(`velocity.${w}`, "must be a positive integer");
  }
  for (const cap of ["hourly", "daily"] as const) {
    const v = c.caps[cap];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) bad(`caps.${cap}`, "must be a positive integer");
  }
  return problems;
}

export function upsertCampaign(state: SellerState, campaign: SellerCampaign, ctx: Ctx): SellerState {
  const at = new Date(ctx.now()).toISOString();
  const prior = state.campaigns[campaign.id];
  const next: SellerCampaign = {
    ...campaign,
    sellerId: state.sellerId,
    createdAt: prior?.createdAt ?? at,
    updatedAt: at,
    version: (prior?.version ?? 0) + 1,
  };
  return { ...state, campaigns: { ...state.campaigns, [campaign.id]: next }, updatedAt: at };
}

/** Admits a call on a campaign: the seller is active, the campaign live and under its caps. */
export function admit(
  state: SellerState,
  cmd: AdmitCommand,
  ctx: Ctx,
): Result<{ state: SellerState; terms: AdmittedTerms }> {
  const campaign = state.campaigns[cmd.campaignId];
  if (state.status !== "active") return refuse("seller_inactive", `seller ${state.sellerId} is not active`);
  if (!campaign) return refuse("seller_campaign_unknown", `no campaign ${cmd.campaignId} on this seller`);
  const terms = { sellerId: state.sellerId, campaign };
  if (state.recentAdmits[cmd.callId] === cmd.campaignId) return ok({ state, terms });
  if (campaign.status !== "active")
    return refuse("seller_campaign_paused", `campaign ${campaign.id} is paused`);
  const keys = periodKeys(state.timezone, ctx.now());
  const prior = state.counters[campaign.id];
  const hour = prior?.hour.key === keys.hour ? prior.hour.calls : 0;
  const day = prior?.day.key === keys.day ? prior.day.calls : 0;
  if (campaign.caps.hourly !== undefined && hour >= campaign.caps.hourly) {
    return refuse("seller_cap_reached", `hourly cap ${campaign.caps.hourly} reached`);
  }
  if (campaign.caps.daily !== undefined && day >= campaign.caps.daily) {
    return refuse("seller_cap_reached", `daily cap ${campaign.caps.daily} reached`);
  }
  const recent = Object.entries(state.recentAdmits);
  const kept = recent.length >= RECENT_ADMITS ? recent.slice(recent.length - RECENT_ADMITS + 1) : recent;
  const next: SellerState = {
    ...state,
    counters: {
      ...state.counters,
      [campaign.id]: { hour: { key: keys.hour, calls: hour + 1 }, day: { key: keys.day, calls: day + 1 } },
    },
    recentAdmits: { ...Object.fromEntries(kept), [cmd.callId]: cmd.campaignId },
  };
  return ok({ state: next, terms });
}

/** The seller's payout for a billable call cleared at `priceMicros`. */
export function payoutFor(payout: Payout, priceMicros: Micros): Micros {
  // The exchange never pays out more than the call cleared at (no bids at a loss).
  if (payout.type === "fixed") return Math.min(payout.amountMicros, priceMicros);
  return shareOf(priceMicros, basisPoints(payout.percent) ?? 0);
}

function basisPoints(percent: number): number | undefined {
  const bp = Math.round(percent * 100);
  if (!Number.isFinite(percent) || percent < 0 || percent > 100 || Math.abs(bp - percent * 100) > 1e-9) {
    return undefined;
  }
  return bp;
}
