// Trying ranked bids best first until a buyer reserves: the one loop shared by the AuctionActor (buyer
// actors behind the sidecar) and the acceptance fixtures (the buyer's pure rule on in-memory states).
import type { OfferedBid, ReserveAccepted } from "../buyer/buyer-api.ts";
import type { Micros } from "../kernel/money.ts";
import type { Result } from "../kernel/result.ts";
import type { Bid, Loser, Ranking } from "./auction-api.ts";
import { loserOf } from "./rules.ts";

/** Asks the bid's buyer to reserve the call at `priceMicros`; a refusal is a value with its reason. */
export type Reserver = (
  bid: Bid,
  priceMicros: Micros,
  offered: OfferedBid,
) => Promise<Result<ReserveAccepted>>;

export interface Taken {
  index: number;
  bid: Bid;
  priceMicros: Micros;
  accepted: ReserveAccepted;
}

/**
 * Walks `ordered` best first: skips bids of `skipBuyers`, drops bids expired by `nowMs()` and asks
 * each remaining bid's buyer to reserve at the price the ranking gave it, never re-pricing. Each refusal
 * (a cap, the budget, a bid lowered since it was read: `bid_changed`) is pushed to `losers` and the next
 * bid is tried; the first acceptance wins.
 */
export async function reserveInOrder(
  ordered: Ranking["ordered"],
  opts: { nowMs: () => number; skipBuyers: ReadonlySet<string> },
  reserve: Reserver,
  losers: Loser[],
): Promise<Taken | undefined> {
  for (let i = 0; i < ordered.length; i++) {
    const { bid, priceMicros } = ordered[i]!;
    if (opts.skipBuyers.has(bid.buyerId)) continue;
    if (bid.expiresAt !== undefined && bid.expiresAt <= opts.nowMs()) {
      losers.push(loserOf(bid, "bid_expired"));
      continue;
    }
    const reserved = await reserve(bid, priceMicros, { source: bid.source, amountMicros: bid.amountMicros });
    if (!reserved.ok) {
      losers.push(loserOf(bid, reserved.reason.code));
      continue;
    }
    return { index: i, bid, priceMicros, accepted: reserved.value };
  }
  return undefined;
}
