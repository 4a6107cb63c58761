// Pre-filter of candidate campaigns from the targeting index, before any actor call: the checks that
// need no live counters (buyer suppression, status, targeting, hours). Caps, budget and duplicates are the buyer actor's.
import type { CallFacts } from "../buyer/buyer-api.ts";
import { isOpen } from "../buyer/schedule.ts";
import { type TargetingEntry, targetingRefusal } from "../buyer/targeting.ts";
import type { ReasonCode } from "../kernel/reasons.ts";

export function prefilterRefusal(
  campaign: TargetingEntry,
  call: CallFacts,
  nowMs: number,
  suppressedBy: ReadonlySet<string> = new Set(),
): ReasonCode | undefined {
  // A buyer's own Do-Not-Call list comes first: a suppressed caller never reaches that buyer at all.
  if (suppressedBy.has(campaign.buyerId)) return "buyer_suppressed";
  if (campaign.status !== "active") return "campaign_paused";
  const targeting = targetingRefusal(campaign, call);
  if (targeting) return targeting.reason.code;
  if (!isOpen(campaign.schedule, nowMs)) return "closed_hours";
  return undefined;
}
