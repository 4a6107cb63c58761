// CallActor contract: the offer, the routing decision returned to the seller, and lifecycle events.
import type { Loser } from "../auction/auction-api.ts";
import type { Micros } from "../kernel/money.ts";
import type { ReasonCode } from "../kernel/reasons.ts";
import type { Result } from "../kernel/result.ts";
import type { RoutedView, Routing } from "../kernel/routing.ts";
import type { SettlementIntent } from "./settlement.ts";

export type CallStatus =
  | "routed"
  | "rejected"
  | "no_bid"
  | "ringing"
  | "connected"
  | "completed"
  | "failed"
  | "expired";

export interface OfferCommand {
  callId: string;
  sellerId: string;
  sellerCampaignId: string;
  requestHash: string; // keyed fingerprint of the partner's request body, for idempotency conflicts
  /** Plain SHA-256 of the body: compared only with documents stored before keyed hashes; never stored. */
  legacyRequestHash?: string;
  /** As the seller sent it; the call checks it (a withheld or invalid number is refused). */
  callerNumber?: string;
  /** The number the seller's ping carried, when it says: a mismatch is refused by the screen. */
  pingCallerNumber?: string;
  consentCertificate?: string;
  callerState?: string;
  callerZip?: string;
  vertical?: string;
  tags: string[];
  attestation?: "A" | "B" | "C";
  /** When the API received the offer (epoch ms): the instant calling hours and windows are judged at. */
  receivedAtMs: number;
  /** The call came in through a carrier's voice webhook (api/telephony): kept on the call. */
  channel?: CarrierChannel;
}

/** A call a carrier brought: its lifecycle comes from the carrier's callbacks, never the seller's key. */
export interface CarrierChannel {
  provider: "twilio" | "telnyx";
  /** The carrier's id of the caller's (inbound) leg. */
  carrierCallSid: string;
}

/**
 * The routing instruction (or refusal) returned to the seller: when routed, the partner view of the
 * call's `routing` (kernel/routing.ts: `routedView`). Field names are the partner contract.
 */
export type CallDecision = {
  callId: string;
  status: "routed" | "rejected" | "no_bid";
  reason?: { code: ReasonCode; detail: string };
} & Partial<RoutedView>;

export type CallEventType = "ringing" | "connected" | "completed" | "failed";

export interface CallEventCommand {
  eventId: string;
  type: CallEventType;
  durationSec?: number;
  /** Why a call failed: "no_answer", "busy", "rejected", ... */
  reason?: string;
  /** Who ended a completed call, when the telephony side knows. */
  hangupBy?: "caller" | "buyer" | "system";
  /** "carrier": reported by a carrier's signed callback (the only source a carrier call accepts). */
  source?: "carrier";
  /** With `source: "carrier"`: which carrier; only the one that brought the call may report on it. */
  provider?: CarrierChannel["provider"];
  /**
   * The routing (bid id) this event is about, when the reporter knows: an event about a routing the
   * call has since left (a late callback of a re-routed attempt) changes nothing.
   */
  bidId?: string;
}

/** A whisper's press-1 terms for one buyer of the call (call/rules.ts: applyAcceptance). */
export interface Acceptance {
  buyerId: string;
  required: true;
  /** When the buyer's agent answered (the whisper was fetched). */
  answeredAtMs: number;
  /** When the agent pressed 1; absent while not (yet) accepted. */
  acceptedAtMs?: number;
}

/** From the carrier edge's whisper (no `acceptedAtMs`) and accept (with it) routes. */
export interface AcceptanceCommand {
  buyerId: string;
  answeredAtMs: number;
  acceptedAtMs?: number;
}

export interface Billing {
  billable: boolean;
  chargedMicros: Micros;
  payoutMicros: Micros;
  marginMicros: Micros;
  reason?: string;
}

export interface AuctionSummary {
  candidates: number;
  bids: number;
  winnerBidId?: string;
  clearingPriceMicros?: Micros;
  auctionType: "first" | "second";
  reserveMicros: Micros;
  losers: Loser[];
  durationMs: number;
}

export interface CallState {
  schema: 1;
  callId: string;
  /** Bumped on every write; read models keep the snapshot with the highest revision. */
  revision?: number;
  sellerId: string;
  sellerCampaignId: string;
  requestHash: string;
  status: CallStatus;
  caller: { hash?: string; ciphertext?: string; areaCode?: string; state?: string; zip?: string };
  vertical?: string;
  tags: string[];
  /** A valid consent certificate for this caller came with the offer (kept for re-routing). */
  consent?: boolean;
  decision: CallDecision;
  /** The seller campaign's payout rules at admission (seller/payout.ts). */
  payout?: import("../seller/seller-api.ts").Payout;
  /**
   * The routing decision while the call holds it (documents written before it was one type hold only
   * priceMicros, minDurationSec and expiresAtMs).
   */
  routing?: Routing;
  reroute?: { max: number; belowSec: number; routingTtlSec: number };
  /** The seller campaign's maximum call duration at admission (absent: the default, call/holds.ts). */
  maxCallDurationSec?: number;
  /** When the call was routed to the buyer it holds now (the offer, or the last re-route). */
  routedAtMs?: number;
  /** Why the exchange ended the call itself (an expired status): the seller never reported its end. */
  endReason?: import("./holds.ts").HoldEndReason;
  /** Every buyer the call was routed to, in order, with how that attempt ended. */
  attempts?: { buyerId: string; campaignId: string; priceMicros: Micros; outcome?: string }[];
  auction?: AuctionSummary;
  /** An inline auction's ranked bids (winner and those below it), for re-routing; else the AuctionActor keeps them. */
  rerouteBids?: import("../auction/auction-api.ts").AuctionState["ordered"];
  timeline: {
    offeredAt: string;
    ringingAt?: string;
    connectedAt?: string;
    /** When the buyer's agent pressed 1 (a whisper requiring acceptance). */
    acceptedAt?: string;
    endedAt?: string;
  };
  durationSec?: number;
  /** Press-1 acceptance of the buyer dialed now, when its whisper requires it. */
  acceptance?: Acceptance;
  billing?: Billing;
  appliedEvents: Record<string, CallStatus>; // event id → status it led to
  /** A billable completion whose capture may have happened but whose settlement is not yet saved. */
  settling?: SettlementIntent;
  /** Set when the call came through a carrier (api/telephony); absent for seller-reported calls. */
  channel?: CarrierChannel;
  /** Who ended the call, when its reporter said. */
  hangupBy?: CallEventCommand["hangupBy"];
  /** Review flags raised on the call (e.g. buyer_hangup_below_minimum). */
  flags?: string[];
  /** A conversion-billed call that completed and qualified: its conversion (call/conversion.ts). */
  conversion?: import("./conversion.ts").Conversion;
}

export interface ICallActor {
  offer(cmd: OfferCommand): Promise<Result<CallDecision>>;
  event(cmd: CallEventCommand): Promise<Result<CallState>>;
  get(): Promise<Result<CallState>>;
  /** The whisper asked the buyer's agent to press 1 (no `acceptedAtMs`), or the agent did. */
  accept(cmd: AcceptanceCommand): Promise<Result<Acceptance>>;
  /** The routing sweeper's visit: finish a saga a crash left, expire a routing past its time. */
  sweep(cmd: Record<string, never>): Promise<Result<{ status: string }>>;
  /** The buyer's conversion postback: bills a conversion-billed call once, within its window. */
  convert(cmd: import("./conversion.ts").ConversionCommand): Promise<Result<CallState>>;
  /** Data-subject erasure: the caller's keyed hash and ciphertext leave the document. */
  forgetCaller(cmd: Record<string, never>): Promise<Result<{ forgotten: boolean }>>;
}
