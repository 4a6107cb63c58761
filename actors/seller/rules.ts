// Pure seller rules: profile creation, campaign upsert and patch, and admitting a call. A seller
// campaign has no rules relating its fields: its shape is checked once, by the API's schema.
import { periodKeys } from "../buyer/schedule.ts";
import type { Ctx } from "../kernel/ctx.ts";
import { ok, type Result, refuse } from "../kernel/result.ts";
import type {
  AdmitCommand,
  AdmittedTerms,
  SellerCampaign,
  SellerCampaignPatch,
  SellerState,
} from "./seller-api.ts";

const RECENT_ADMITS = 500;

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

/** The stored campaign with the patch's fields replaced (a shallow merge, as PATCH documents). */
export function patchedCampaign(
  state: SellerState,
  campaignId: string,
  patch: SellerCampaignPatch,
): Result<SellerCampaign> {
  const current = state.campaigns[campaignId];
  if (!current) {
    return refuse("seller_campaign_unknown", `no campaign ${campaignId} on seller ${state.sellerId}`);
  }
  const {
    id: _id,
    sellerId: _seller,
    createdAt: _c,
    updatedAt: _u,
    version: _v,
    ...fields
  } = patch as Partial<SellerCampaign>;
  return ok({ ...current, ...fields });
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
      [campaign.id]: {
        ...prior,
        hour: { key: keys.hour, calls: hour + 1 },
        day: { key: keys.day, calls: day + 1 },
      },
    },
    recentAdmits: { ...Object.fromEntries(kept), [cmd.callId]: cmd.campaignId },
  };
  return ok({ state: next, terms });
}

/**
 * Gives back the cap slot an admitted call took, when the offer failed before the call was saved (the
 * call's saga). Only a call this seller still remembers admitting on that campaign, and only within the
 * period it was counted in: a slot of an hour or day gone by has nothing left to give back.
 */
export function releaseAdmit(
  state: SellerState,
  cmd: AdmitCommand,
  ctx: Ctx,
): { state: SellerState; released: boolean } {
  if (state.recentAdmits[cmd.callId] !== cmd.campaignId) return { state, released: false };
  const { [cmd.callId]: _gone, ...recentAdmits } = state.recentAdmits;
  const keys = periodKeys(state.timezone, ctx.now());
  const prior = state.counters[cmd.campaignId];
  const less = (p: { key: string; calls: number }, key: string) =>
    p.key === key ? { key, calls: Math.max(0, p.calls - 1) } : p;
  const counters = prior
    ? {
        ...state.counters,
        [cmd.campaignId]: { ...prior, hour: less(prior.hour, keys.hour), day: less(prior.day, keys.day) },
      }
    : state.counters;
  return { state: { ...state, counters, recentAdmits }, released: true };
}

export { payoutFor } from "./payout.ts";
