// Price fidelity: a buyer is never reserved above its bid as it stands when its actor reserves.
//
// The auction ranks bids read moments earlier (standing bids from the targeting index, RTB and live
// answers from the buyer); by the time the winner's actor reserves, the buyer may have lowered its
// campaign's bid. The rule, checked inside the buyer's actor (turn-based, so "check and reserve" is atomic):
// - Any source: the price is never above the bid the auction ranked (a second price is capped at the
//   bid itself, a first price is the bid); a price above it is an auction bug and throws.
// - A standing bid: the price must not exceed the campaign's bid as the actor holds it now. Above it,
//   the reservation is refused with `bid_changed` and the auction tries the next bid. The call is not
//   re-priced at the new bid: that bid was never ranked against the other bidders, so re-pricing would
//   take the call from a bidder that now outranks it. A price at or below the current bid stands (a
//   lowered second-price bid that still covers its clearing price wins at that price; a raised bid
//   pays the price it was ranked at).
// - An RTB or live bid: the bid is the buyer's own answer for this very call, given within the auction's
//   deadline, so the campaign's `bidMicros` does not cap it: a live bid exists to raise the standing bid
//   for one call (it replaces it only when higher), and an RTB campaign's `bidMicros` is not its price.
//   The answer itself caps the price, as above.
// - A paused campaign refuses whatever the source (`campaign_paused`), a deleted one `campaign_unknown`,
//   and targeting, hours, caps and budget are checked against the campaign as it stands now.
import type { Micros } from "../kernel/money.ts";
import { type Refused, refuse } from "../kernel/result.ts";
import type { BuyerCampaign, OfferedBid } from "./buyer-api.ts";

export function priceRefusal(
  campaign: BuyerCampaign,
  bid: OfferedBid,
  priceMicros: Micros,
): Refused | undefined {
  if (priceMicros > bid.amountMicros) {
    throw new RangeError(`price ${priceMicros} is above the ranked bid ${bid.amountMicros}`);
  }
  if (bid.source === "standing" && priceMicros > campaign.bidMicros) {
    return refuse(
      "bid_changed",
      `price ${priceMicros} is above campaign ${campaign.id}'s bid ${campaign.bidMicros} (ranked at ${bid.amountMicros})`,
    );
  }
  return undefined;
}
