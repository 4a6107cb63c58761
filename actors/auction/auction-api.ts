// AuctionActor contract: bids, the seller's auction terms and the auction's outcome.
import type { BidSource, Destination } from "../buyer/buyer-api.ts";
import type { Micros } from "../kernel/money.ts";
import type { ReasonCode } from "../kernel/reasons.ts";
import type { Routing } from "../kernel/routing.ts";

export type { BidSource };

export interface Bid {
  bidId: string;
  buyerId: string;
  campaignId: string;
  amountMicros: Micros;
  priority: number; // lower wins ties
  weight: number; // higher wins ties
  receivedAt: number; // epoch ms; earlier wins ties
  source: BidSource;
  /** Only when the bid named its own (an RTB answer may); else the reservation gives the campaign's. */
  destination?: Destination;
  /** Not set by the auction any more (the reservation gives it); kept readable in stored auctions. */
  minDurationSec?: number;
  expiresAt?: number; // epoch ms; a bid past its expiry when the auction closes is dropped
}

export interface AuctionTerms {
  reserveMicros: Micros;
  type: "first" | "second";
}

export interface Loser {
  bidId: string;
  buyerId: string;
  campaignId: string;
  amountMicros: Micros;
  reason: ReasonCode;
}

/** Bids in the order they should be tried, each with the price it would clear at if it wins. */
export interface Ranking {
  ordered: { bid: Bid; priceMicros: Micros }[];
  losers: Loser[]; // dropped before ranking (below reserve, expired)
}

export interface RunAuctionCommand {
  call: import("../buyer/buyer-api.ts").CallFacts;
  caller?: { hash: string; ciphertext: string };
  exposeCallerId?: boolean;
  sellerId?: string;
  sellerCampaignId?: string;
  terms: AuctionTerms & { maxAuctionMs: number };
  routingTtlSec: number;
  /** The seller campaign's maximum call duration: the buyer's hold outlives it (call/holds.ts). */
  maxCallDurationSec?: number;
  /**
   * The call's offer attempt: a retry of the same attempt answers the stored outcome; a new attempt
   * (the call undid the last one's hold, its saga) runs the auction again.
   */
  attemptId?: string;
}

/** The winning bid as the buyer reserved it: the one routing decision type (kernel/routing.ts). */
export type AuctionWinner = Routing;

export interface AuctionOutcome {
  winner?: AuctionWinner;
  reason?: { code: ReasonCode; detail: string };
  summary: {
    candidates: number;
    bids: number;
    auctionType: "first" | "second";
    reserveMicros: Micros;
    losers: Loser[];
    durationMs: number;
  };
}

export interface AuctionState {
  schema: 1;
  callId: string;
  outcome: AuctionOutcome;
  /** For re-routing: the bids up to the winner and at most REROUTE_BIDS_KEPT below it, best first. */
  ordered: { bid: Bid; priceMicros: Micros }[];
  closedAt: string;
  /** The offer attempt this outcome belongs to (RunAuctionCommand.attemptId). */
  attemptId?: string;
  /** Bid ids tried by `next` after the first winner, in order. */
  rerouted?: string[];
}

export interface NextBidCommand {
  /** Buyers already tried for this call; their other bids are skipped too. */
  excludeBuyerIds: string[];
  routingTtlSec: number;
  maxCallDurationSec?: number;
  call: import("../buyer/buyer-api.ts").CallFacts;
}

export interface IAuctionActor {
  run(cmd: RunAuctionCommand): Promise<import("../kernel/result.ts").Result<AuctionOutcome>>;
  /** Revenue recovery: reserve the best remaining bid after the routed buyer failed the call. */
  next(cmd: NextBidCommand): Promise<import("../kernel/result.ts").Result<{ winner: AuctionWinner | null }>>;
}
