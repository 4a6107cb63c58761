// The call as read models see it: no caller number, hash or ciphertext, with a revision so a
// projection can apply snapshots in any order and keep the newest.
import type { Micros } from "../kernel/money.ts";
import type { CallState, CallStatus } from "./call-api.ts";

export interface CallSnapshot {
  callId: string;
  revision: number;
  status: CallStatus;
  sellerId: string;
  sellerCampaignId: string;
  buyerId: string | null;
  buyerCampaignId: string | null;
  vertical: string | null;
  callerState: string | null;
  priceMicros: Micros | null;
  billable: boolean | null;
  chargedMicros: Micros | null;
  payoutMicros: Micros | null;
  durationSec: number | null;
  reasonCode: string | null;
  attempts: number;
  offeredAt: string;
  endedAt: string | null;
  /** A conversion-billed call's conversion status once it completed qualified; else null. */
  conversionStatus: string | null;
}

export function callSnapshot(s: CallState): CallSnapshot {
  return {
    callId: s.callId,
    revision: s.revision ?? 0,
    status: s.status,
    sellerId: s.sellerId,
    sellerCampaignId: s.sellerCampaignId,
    buyerId: s.decision.buyerId ?? null,
    buyerCampaignId: s.decision.buyerCampaignId ?? null,
    vertical: s.vertical ?? null,
    callerState: s.caller.state ?? null,
    priceMicros: s.decision.priceMicros ?? null,
    billable: s.billing?.billable ?? null,
    chargedMicros: s.billing?.chargedMicros ?? null,
    payoutMicros: s.billing?.payoutMicros ?? null,
    durationSec: s.durationSec ?? null,
    reasonCode: s.decision.reason?.code ?? s.endReason ?? null,
    attempts: s.attempts?.length ?? 0,
    offeredAt: s.timeline.offeredAt,
    endedAt: s.timeline.endedAt ?? null,
    conversionStatus: s.conversion?.status ?? null,
  };
}
