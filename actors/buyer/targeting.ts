// Whether a call's facts match a campaign's targeting (vertical, state, ZIP/area code, tags) and duplicate window.
import { type Refused, refuse } from "../kernel/result.ts";
import type { BuyerCampaign, CallFacts } from "./buyer-api.ts";

export const DAY_MS = 86_400_000;

/**
 * What the auction needs of a campaign before asking its buyer: the targeting it filters on, the
 * standing bid and tie-breaks it ranks by, and the RTB endpoint it pings. The targeting index holds
 * only this; the destination, caps, budget and duplicate rules stay in the BuyerActor, which answers
 * a reservation with the destination.
 */
export type TargetingEntry = Pick<
  BuyerCampaign,
  | "id"
  | "buyerId"
  | "status"
  | "vertical"
  | "states"
  | "zips"
  | "areaCodes"
  | "tags"
  | "requireConsent"
  | "schedule"
  | "bidMicros"
  | "priority"
  | "weight"
  | "rtb"
>;

/** A campaign's targeting entry, field by field, so nothing else of the campaign is copied. */
export function targetingEntry(c: BuyerCampaign): TargetingEntry {
  const entry: TargetingEntry = {
    id: c.id,
    buyerId: c.buyerId,
    status: c.status,
    vertical: c.vertical,
    states: c.states,
    bidMicros: c.bidMicros,
    priority: c.priority,
    weight: c.weight,
  };
  if (c.requireConsent !== undefined) entry.requireConsent = c.requireConsent;
  if (c.zips !== undefined) entry.zips = c.zips;
  if (c.areaCodes !== undefined) entry.areaCodes = c.areaCodes;
  if (c.tags !== undefined) entry.tags = c.tags;
  if (c.schedule !== undefined) entry.schedule = c.schedule;
  if (c.rtb !== undefined) entry.rtb = { url: c.rtb.url, timeoutMs: c.rtb.timeoutMs };
  return entry;
}

/** The first targeting rule the call fails, in the contract's order; undefined when it matches. */
export function targetingRefusal(campaign: TargetingEntry, call: CallFacts): Refused | undefined {
  if (call.vertical !== campaign.vertical) {
    return refuse("targeting_vertical", `call vertical ${call.vertical}, campaign buys ${campaign.vertical}`);
  }
  if (
    campaign.states.length > 0 &&
    (call.callerState === undefined || !campaign.states.includes(call.callerState))
  ) {
    return refuse("targeting_state", `caller state ${call.callerState ?? "unknown"} is not targeted`);
  }
  const zips = campaign.zips ?? [];
  const areaCodes = campaign.areaCodes ?? [];
  if (zips.length > 0 || areaCodes.length > 0) {
    // Either list may admit the call: a ZIP list and an area-code list are alternatives, not both required.
    const zipHit = call.callerZip !== undefined && zips.includes(call.callerZip);
    const areaHit = call.areaCode !== undefined && areaCodes.includes(call.areaCode);
    if (!zipHit && !areaHit) {
      return refuse(
        "targeting_zip",
        `caller ZIP ${call.callerZip ?? "unknown"} / area code ${call.areaCode ?? "unknown"} is not targeted`,
      );
    }
  }
  for (const tag of campaign.tags ?? []) {
    if (!call.tags.includes(tag)) return refuse("targeting_tags", `call lacks tag ${tag}`);
  }
  if (campaign.requireConsent && call.consent !== true) {
    return refuse(
      "consent_missing",
      `campaign ${campaign.id} takes only calls with a valid consent certificate`,
    );
  }
  return undefined;
}

/** True when the caller was last routed to this buyer less than `windowDays` × 24 h before `nowMs`. */
export function isDuplicate(windowDays: number, lastSeenMs: number | undefined, nowMs: number): boolean {
  return windowDays > 0 && lastSeenMs !== undefined && nowMs - lastSeenMs < windowDays * DAY_MS;
}
