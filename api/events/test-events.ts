// Test data shared by the events tests: a `call.billable` event as the call actor raises it.
import { type DomainEvent, domainEvent } from "../../actors/kernel/events.ts";

/** A billable call's event with the given amounts; `extra` adds data fields (e.g. personal data). */
export const billableEvent = (
  callId: string,
  charged: number,
  payout: number,
  margin: number,
  extra: Record<string, unknown> = {},
): DomainEvent =>
  domainEvent("call.billable", { type: "call", id: callId }, `done-${callId}`, Date.now(), {
    callId,
    buyerId: "byr_0000000000000000000000000a",
    buyerCampaignId: "bcp_0000000000000000000000000a",
    sellerId: "sel_0000000000000000000000000a",
    sellerCampaignId: "scp_0000000000000000000000000a",
    durationSec: 90,
    chargedMicros: charged,
    payoutMicros: payout,
    marginMicros: margin,
    ...extra,
  });
