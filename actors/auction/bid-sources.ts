// Collecting bids for one auction from its eligible campaigns. Today: standing campaign bids.
// RTB pings and live WebSocket bidders plug in here, answering within the auction's deadline.
import type { BuyerCampaign, CallFacts } from "../buyer/buyer-api.ts";
import type { Ctx } from "../kernel/ctx.ts";
import type { Bid, Loser } from "./auction-api.ts";
import { standingBids } from "./rules.ts";

export interface BidRequest {
  call: CallFacts;
  /** The caller's protected number; revealed to RTB endpoints only when the seller allows it. */
  caller?: { hash: string; ciphertext: string };
  exposeCallerId: boolean;
  sellerId: string;
  sellerCampaignId: string;
  reserveMicros: number;
  /** Epoch ms by which every bid must have arrived (auction start + the seller's maxAuctionMs). */
  deadlineMs: number;
}

export interface CollectedBids {
  bids: Bid[];
  losers: Loser[];
}

export async function collectBids(
  eligible: BuyerCampaign[],
  req: BidRequest,
  ctx: Ctx,
): Promise<CollectedBids> {
  void req;
  return { bids: standingBids(eligible, ctx.now(), ctx), losers: [] };
}
