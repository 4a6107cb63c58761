// BuyerActor contract: the state document, the campaign shape and the commands callers send.
// Shared by the actor, its pure rules, the auction and the API; no Dapr imports here.
import type { RecordingSettings, WhisperSettings } from "../kernel/media.ts";
import type { Micros } from "../kernel/money.ts";
import type { Result } from "../kernel/result.ts";

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/** Hours of operation in the buyer's IANA time zone. `open`/`close` are "HH:MM"; close may be "24:00". */
export interface Schedule {
  timezone: string;
  hours: { days: Weekday[]; open: string; close: string }[];
}

export interface Caps {
  concurrency?: number;
  hourly?: number;
  daily?: number;
  monthly?: number;
  lifetime?: number;
  dailySpendMicros?: Micros;
}

export interface Destination {
  number?: string; // E.164
  sip?: string; // sip: URI
}

export interface BuyerCampaign {
  id: string;
  buyerId: string;
  name: string;
  status: "active" | "paused";
  vertical: string;
  states: string[]; // two-letter US/CA codes; empty = any
  zips?: string[]; // 5-digit ZIPs; empty/absent = any
  areaCodes?: string[]; // 3-digit NPAs; empty/absent = any
  tags?: string[]; // every listed tag must be on the call
  bidMicros: Micros;
  minDurationSec: number;
  priority: number; // lower wins ties
  weight: number; // higher wins ties within a priority
  destination: Destination;
  schedule?: Schedule; // absent = always open
  caps: Caps;
  duplicateWindowDays: number; // 0 = no duplicate restriction
  rtb?: { url: string; timeoutMs: number };
  /** Take only calls whose offer carried a valid, unexpired consent certificate for this caller. */
  requireConsent?: boolean;
  /** Record this campaign's calls (off when absent; either side of a call may turn it on). */
  recording?: RecordingSettings;
  /** Said to the buyer's agent before bridging, optionally with "press 1 to accept". */
  whisper?: WhisperSettings;
  /** What bills a call: its duration (absent: the default) or the buyer's conversion postback. */
  billOn?: "duration" | "conversion";
  /** Conversion billing: seconds after the call's end the conversion may be posted (buyer/conversion.ts). */
  conversionWindowSec?: number;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** A PATCH: the fields it names replace the stored campaign's; identity, times and version are the actor's. */
export type BuyerCampaignPatch = Partial<
  Omit<BuyerCampaign, "id" | "buyerId" | "createdAt" | "updatedAt" | "version">
>;

/** A campaign command's answer: the campaign as saved, or why it was not (its fields conflict). */
export type CampaignSaved = { campaign: BuyerCampaign } | { problems: { field: string; message: string }[] };

/** Live counters of one campaign. Period windows are keyed by the period's label in the buyer's time zone. */
export interface CampaignCounters {
  inFlight: number;
  hour: { key: string; calls: number };
  day: { key: string; calls: number; spendMicros: Micros };
  month: { key: string; calls: number };
  lifetime: number;
}

export interface Reservation {
  callId: string;
  campaignId: string;
  priceMicros: Micros;
  /**
   * The destination and minimum duration as accepted, so a replayed reserve answers the same. Absent
   * while they are still the campaign's (both then come from it); written into the hold when its
   * campaign changes them.
   */
  destination?: Destination;
  minDurationSec?: number;
  reservedAt: number; // epoch ms
  expiresAt: number; // epoch ms; a reservation not captured or released by then may be swept
  /** The call ended and waits for its conversion: its live slot is freed, its price still held. */
  awaitingConversion?: true;
}

export interface BuyerState {
  schema: 1;
  buyerId: string;
  name: string;
  status: "active" | "inactive";
  timezone: string; // IANA; period caps reset at midnight / month start here
  balanceMicros: Micros;
  creditLimitMicros: Micros;
  campaigns: Record<string, BuyerCampaign>;
  counters: Record<string, CampaignCounters>;
  reservations: Record<string, Reservation>; // by call id
  /** Deposit id → amount, so a redelivered deposit is applied once. */
  appliedDeposits?: Record<string, Micros>;
  createdAt: string;
  updatedAt: string;
}

/** What the auction knows about a call when it asks a buyer to take it. */
export interface CallFacts {
  callId: string;
  callerHash: string; // keyed hash of the caller number, never the number
  callerState?: string;
  callerZip?: string;
  areaCode?: string;
  vertical: string;
  tags: string[];
  /** The offer carried a consent certificate on record for this caller and not expired. */
  consent?: boolean;
}

/** Where a bid came from: the campaign's standing bid, its RTB endpoint's answer, or a live bidder's answer. */
export type BidSource = "standing" | "rtb" | "live";

/** The bid the auction ranked, as the auction holds it (a standing bid: as the targeting index read it). */
export interface OfferedBid {
  source: BidSource;
  amountMicros: Micros;
}

export interface ReserveCommand {
  callId: string;
  campaignId: string;
  priceMicros: Micros;
  /** The bid being reserved; the buyer checks the price against it and against the campaign's bid now. */
  bid: OfferedBid;
  call: CallFacts;
  ttlMs: number; // how long the reservation holds without a capture or release
}

export type ReleaseOutcome =
  | "failed"
  | "expired"
  | "not_billable"
  | "rerouted"
  /** The call passed its maximum duration with no end reported (call/holds.ts). */
  | "max_duration_exceeded"
  /** A conversion-billed call's window closed with no conversion posted. */
  | "not_converted";

export interface ReleaseCommand {
  callId: string;
  outcome: ReleaseOutcome;
}

export interface CaptureCommand {
  callId: string;
}

export interface BuyerBalance {
  balanceMicros: Micros;
  creditLimitMicros: Micros;
  reservedMicros: Micros;
  availableMicros: Micros;
}

export interface ReserveAccepted {
  callId: string;
  campaignId: string;
  priceMicros: Micros;
  expiresAt: number;
  destination: Destination;
  minDurationSec: number;
  /** Set when the campaign bills on conversion: how long after the call's end it may be posted. */
  conversionWindowSec?: number;
}

export interface IBuyerActor {
  create(cmd: {
    buyerId: string;
    name: string;
    timezone: string;
    creditLimitMicros: Micros;
  }): Promise<Result<BuyerState>>;
  get(): Promise<Result<BuyerState>>;
  upsertCampaign(cmd: { campaign: BuyerCampaign }): Promise<Result<CampaignSaved>>;
  patchCampaign(cmd: { campaignId: string; patch: BuyerCampaignPatch }): Promise<Result<CampaignSaved>>;
  reserve(cmd: ReserveCommand): Promise<Result<ReserveAccepted>>;
  release(cmd: ReleaseCommand): Promise<Result<{ callId: string; released: boolean }>>;
  /** A conversion-billed call completed: its hold stays (slot freed) until the window closes. */
  awaitConversion(
    cmd: import("./conversion.ts").AwaitConversionCommand,
  ): Promise<Result<{ callId: string; held: boolean }>>;
  capture(cmd: CaptureCommand): Promise<Result<{ callId: string; chargedMicros: Micros }>>;
  deposit(cmd: { depositId: string; amountMicros: Micros }): Promise<Result<BuyerBalance>>;
  refund(cmd: { refundId: string; callId: string; amountMicros: Micros }): Promise<Result<BuyerBalance>>;
  balance(): Promise<Result<BuyerBalance>>;
  /** After a Redis hard crash: the buyer made to agree with the ledger (npm run repair). */
  repair(cmd: import("./repair.ts").RepairCommand): Promise<Result<import("./repair.ts").RepairOutcome>>;
}
