// SellerActor contract: the seller's profile, its campaigns (traffic sources) and the admit command.
import type { RecordingSettings } from "../kernel/media.ts";
import type { Micros } from "../kernel/money.ts";
import type { Result } from "../kernel/result.ts";

/** A duration tier: a billable call that lasted at least `minDurationSec` earns `amountMicros`. */
export interface PayoutTier {
  minDurationSec: number;
  amountMicros: Micros;
}

/**
 * Rules beside the base payout (seller/payout.ts applies them): duration tiers, a per-conversion amount
 * and caps. What the buyer pays is the auction's price; what the seller earns is decided here alone.
 */
export interface PayoutRules {
  /** Ascending by `minDurationSec`: the highest tier the call reached pays instead of the base. */
  tiers?: PayoutTier[];
  /** What a converted call earns (a conversion-billed buyer's postback), instead of tiers and the base. */
  perConversionMicros?: Micros;
  /** At most this per call, and per day (the seller's time zone) over the campaign. */
  caps?: { perCallMicros?: Micros; dailyMicros?: Micros };
}

export type Payout = ({ type: "fixed"; amountMicros: Micros } | { type: "share"; percent: number }) &
  PayoutRules;

export type CarrierFallback =
  | { action: "message"; message: string }
  | { action: "forward"; number: string }
  | { action: "hangup" };

export interface SellerCampaign {
  id: string;
  sellerId: string;
  name: string;
  status: "active" | "paused";
  vertical: string;
  reserveMicros: Micros;
  auction: "first" | "second";
  payout: Payout;
  maxAuctionMs: number; // deadline for bids (RTB answers) on this campaign's calls
  routingTtlSec: number; // how long a routing instruction stays valid
  /** How long a routed call may hold its buyer with no end reported (absent: call/holds.ts default). */
  maxCallDurationSec?: number;
  /** Revenue recovery: after a no-answer, or a buyer hanging up before `rerouteBelowSec`, try the next bid. */
  reroute: { max: number; belowSec: number };
  allowAnonymous: boolean;
  exposeCallerId: boolean; // whether RTB pings may carry the caller number
  caps: { hourly?: number; daily?: number };
  /** Carrier calls: what the caller hears when no buyer takes the call (absent: a short message). */
  carrierFallback?: CarrierFallback;
  /** Carrier calls: seconds a buyer's phone rings before no-answer (absent: the edge's default). */
  dialTimeoutSec?: number;
  /** Compliance and fraud screen settings (absent on older campaigns: inbound, no minimums). */
  trafficType?: "inbound" | "outbound" | "callback";
  minAttestation?: "A" | "B" | "C";
  requireConsent?: boolean;
  velocity?: { per15m?: number; per1h?: number; per24h?: number };
  /** Record this campaign's calls (off when absent; either side of a call may turn it on). */
  recording?: RecordingSettings;
  /** Days after a charge its buyer may dispute a call (absent: the exchange's DCE_DISPUTE_WINDOW_DAYS). */
  disputeWindowDays?: number;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** A PATCH: the fields it names replace the stored campaign's; identity, times and version are the actor's. */
export type SellerCampaignPatch = Partial<
  Omit<SellerCampaign, "id" | "sellerId" | "createdAt" | "updatedAt" | "version">
>;

export interface SellerState {
  schema: 1;
  sellerId: string;
  name: string;
  status: "active" | "inactive";
  timezone: string;
  campaigns: Record<string, SellerCampaign>;
  counters: Record<
    string,
    {
      hour: { key: string; calls: number };
      day: { key: string; calls: number };
      /** Payout booked today against `payout.caps.dailyMicros` (seller/payout.ts). */
      payoutDay?: { key: string; micros: Micros };
    }
  >;
  /** Call id → payout granted under a daily cap, the newest few hundred: a repeated booking replays. */
  recentPayouts?: Record<string, Micros>;
  recentAdmits: Record<string, string>; // call id → campaign id, the newest few hundred
  createdAt: string;
  updatedAt: string;
}

export interface AdmitCommand {
  callId: string;
  campaignId: string;
}

export interface BookPayoutCommand {
  callId: string;
  campaignId: string;
  /** The payout the rules give the call before the daily cap. */
  requestedMicros: Micros;
}

/** What the call needs to know about the seller's terms to run its auction and settle it. */
export interface AdmittedTerms {
  sellerId: string;
  campaign: SellerCampaign;
}

export interface ISellerActor {
  create(cmd: { sellerId: string; name: string; timezone: string }): Promise<Result<SellerState>>;
  get(): Promise<Result<SellerState>>;
  upsertCampaign(cmd: { campaign: SellerCampaign }): Promise<Result<SellerCampaign>>;
  patchCampaign(cmd: { campaignId: string; patch: SellerCampaignPatch }): Promise<Result<SellerCampaign>>;
  admit(cmd: AdmitCommand): Promise<Result<AdmittedTerms>>;
  /** The call's saga: gives back the cap slot of a call whose offer failed before it was saved. */
  releaseAdmit(cmd: AdmitCommand): Promise<Result<{ callId: string; released: boolean }>>;
  reindex(): Promise<Result<{ indexed: number }>>;
  /** Books a call's payout against its campaign's daily payout cap; answers what it may earn (once per call). */
  bookPayout(cmd: BookPayoutCommand): Promise<Result<{ callId: string; grantedMicros: Micros }>>;
}
