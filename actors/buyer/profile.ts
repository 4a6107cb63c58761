// A buyer's profile and campaigns: creating the state document and adding or replacing a campaign.
import type { Ctx } from "../kernel/ctx.ts";
import { slotRefusal } from "../kernel/limits.ts";
import { assertMicros, type Micros } from "../kernel/money.ts";
import { ok, type Result, refuse } from "../kernel/result.ts";
import type { BuyerCampaign, BuyerCampaignPatch, BuyerState } from "./buyer-api.ts";
import { campaignProblems } from "./campaign-problems.ts";
import { isValidTimeZone } from "./schedule.ts";

const iso = (ms: number): string => new Date(ms).toISOString();

export interface NewBuyer {
  buyerId: string;
  name: string;
  timezone: string;
  creditLimitMicros: Micros;
}

/** A fresh, active buyer with no money and no campaigns. Throws RangeError on a bad zone or credit limit (the API validates first). */
export function newBuyerState(cmd: NewBuyer, ctx: Ctx): BuyerState {
  if (!isValidTimeZone(cmd.timezone)) throw new RangeError(`unknown time zone ${cmd.timezone}`);
  if (assertMicros(cmd.creditLimitMicros, "creditLimitMicros") < 0)
    throw new RangeError("creditLimitMicros < 0");
  const at = iso(ctx.now());
  return {
    schema: 1,
    buyerId: cmd.buyerId,
    name: cmd.name,
    status: "active",
    timezone: cmd.timezone,
    balanceMicros: 0,
    creditLimitMicros: cmd.creditLimitMicros,
    campaigns: {},
    counters: {},
    reservations: {},
    createdAt: at,
    updatedAt: at,
  };
}

/**
 * Adds or replaces a campaign, keeping its live counters, bumping its version and stamping its times.
 * The campaign must already be free of `campaignProblems` (the actor checks first); an invalid one is a
 * bug and throws.
 */
export function upsertCampaign(
  state: BuyerState,
  campaign: BuyerCampaign,
  ctx: Ctx,
): Result<{ state: BuyerState; campaign: BuyerCampaign }> {
  const problems = campaignProblems(campaign);
  if (problems.length > 0) {
    throw new RangeError(`invalid campaign: ${problems.map((p) => `${p.field} ${p.message}`).join("; ")}`);
  }
  const full = slotRefusal(state.campaigns, campaign.id, "campaigns.perBuyer");
  if (full) return full;
  const at = iso(ctx.now());
  const previous = state.campaigns[campaign.id];
  const stored: BuyerCampaign = {
    ...campaign,
    buyerId: state.buyerId,
    createdAt: previous?.createdAt ?? at,
    updatedAt: at,
    version: (previous?.version ?? 0) + 1,
  };
  const next: BuyerState = {
    ...state,
    campaigns: { ...state.campaigns, [stored.id]: stored },
    reservations: previous ? keepAcceptedTerms(state.reservations, previous, stored) : state.reservations,
    updatedAt: at,
  };
  return ok({ state: next, campaign: stored });
}

const sameTerms = (a: BuyerCampaign, b: BuyerCampaign) =>
  a.destination.number === b.destination.number &&
  a.destination.sip === b.destination.sip &&
  a.minDurationSec === b.minDurationSec;

/**
 * Open holds of a campaign whose destination or minimum duration changes: each hold that still took
 * them from the campaign gets the old ones written in, so a replayed reserve answers as accepted.
 */
function keepAcceptedTerms(
  holds: BuyerState["reservations"],
  before: BuyerCampaign,
  after: BuyerCampaign,
): BuyerState["reservations"] {
  if (sameTerms(before, after)) return holds;
  let next = holds;
  for (const id in holds) {
    const h = holds[id]!;
    if (h.campaignId !== before.id || h.destination !== undefined) continue;
    if (next === holds) next = { ...holds };
    next[id] = { ...h, destination: before.destination, minDurationSec: before.minDurationSec };
  }
  return next;
}

/** The stored campaign with the patch's fields replaced (a shallow merge, as PATCH documents). */
export function patchedCampaign(
  state: BuyerState,
  campaignId: string,
  patch: BuyerCampaignPatch,
): Result<BuyerCampaign> {
  const current = state.campaigns[campaignId];
  if (!current) return refuse("campaign_unknown", `no campaign ${campaignId} on buyer ${state.buyerId}`);
  const {
    id: _id,
    buyerId: _buyer,
    createdAt: _c,
    updatedAt: _u,
    version: _v,
    ...fields
  } = patch as Partial<BuyerCampaign>;
  return ok({ ...current, ...fields });
}
