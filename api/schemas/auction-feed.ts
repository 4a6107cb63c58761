// The data of one `auction.closed` event of the admins' live auction feed (GET /v1/admin/auctions/live).
import * as v from "valibot";

export const AuctionClosedEvent = v.object({
  id: v.pipe(v.string(), v.description("The domain-events stream entry id (also the SSE event id)")),
  callId: v.string(),
  status: v.pipe(v.picklist(["routed", "no_bid"]), v.description("routed: a buyer won; no_bid: none")),
  reasonCode: v.nullable(v.string()),
  bids: v.number(),
  candidates: v.number(),
  buyerId: v.nullable(v.string()),
  buyerCampaignId: v.nullable(v.string()),
  clearingPriceMicros: v.nullable(v.number()),
  occurredAt: v.pipe(v.string(), v.description("When the auction closed")),
});
