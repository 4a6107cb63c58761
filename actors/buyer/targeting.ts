// Whether a call's facts match a campaign's targeting (vertical, state, ZIP/area code, tags) and duplicate window.
import { type Refused, refuse } from "../kernel/result.ts";
import type { BuyerCampaign, CallFacts } from "./buyer-api.ts";

export const DAY_MS = 86_400_000;

/** The first targeting rule the call fails, in the contract's order; undefined when it matches. */
export function targetingRefusal(campaign: BuyerCampaign, call: CallFacts): Refused | undefined {
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
