// A call's auction receipt as each party may see it (pure): the seller its reserve, the clearing price
// and the rule that set it; a bidding buyer its own bids, their ranks and outcomes, and the clearing
// price and its rule whether it won or lost (as OpenRTB 2.6's minimum-bid-to-win loss notice does),
// never another buyer's identity or bid; an admin everything.
import type { AuctionInputs } from "../../actors/auction/inputs.ts";
import { ONE_CENT } from "../../actors/kernel/money.ts";
import type { RecordedAuction } from "./record.ts";
import { type Recomputed, recompute } from "./replay.ts";

export type Party =
  | { role: "admin" }
  | { role: "seller"; accountId: string }
  | { role: "buyer"; accountId: string };

export type PriceBasis = "own_bid" | "next_bid_plus_cent" | "reserve_plus_cent" | "own_bid_cap";

const BASIS_TEXT: Record<PriceBasis, string> = {
  own_bid: "first price: the winner pays its own bid",
  next_bid_plus_cent: "second price: the highest valid bid ranked below the winner, plus one cent",
  reserve_plus_cent: "second price: no valid bid ranked below the winner, so the reserve plus one cent",
  own_bid_cap: "second price capped at the winner's own bid (a winner never pays more than it bid)",
};

/** Which rule set the price of the bid ranked `at` (the winner's, or a fallback's after a re-route). */
export function priceBasis(inputs: AuctionInputs, r: Recomputed, at: number): PriceBasis | undefined {
  const w = r.ordered[at];
  if (!w) return undefined;
  if (inputs.auctionType === "first") return "own_bid";
  const next = r.ordered[at + 1];
  const floor = (next ? next.amountMicros : inputs.reserveMicros) + ONE_CENT;
  if (floor > w.amountMicros) return "own_bid_cap";
  return next ? "next_bid_plus_cent" : "reserve_plus_cent";
}

/** Whether `party` had anything to do with the auction: its seller, a buyer that bid, or an admin. */
export function isParty(party: Party, inputs: AuctionInputs): boolean {
  if (party.role === "admin") return true;
  if (party.role === "seller") return inputs.sellerId === party.accountId;
  return inputs.bids.some((b) => b.buyerId === party.accountId);
}

/** The receipt `party` sees (call `isParty` first: a stranger gets no receipt). */
export function receiptFor(party: Party, a: RecordedAuction & { inputs: AuctionInputs }) {
  const { inputs } = a;
  const r = recompute(inputs);
  // The bid holding the call: the auction's winner, or the last re-route's.
  const routed = a.winner ? [a.winner, ...a.reroutes] : [];
  const final = routed.at(-1);
  const basis = final
    ? priceBasis(
        inputs,
        r,
        r.ordered.findIndex((o) => o.bidId === final.bidId),
      )
    : undefined;
  const priceRule = basis ? { basis, detail: BASIS_TEXT[basis] } : undefined;
  const common = {
    callId: a.callId,
    party: party.role,
    closedAt: a.closedAt,
    auctionFormat: inputs.auctionType === "first" ? "first_price" : "second_price",
    bidCount: inputs.bids.length,
    validBidCount: r.ordered.length,
    outcome: final ? "sold" : "no_bid",
  };
  const price = final ? { clearingPriceMicros: final.priceMicros, ...(priceRule ? { priceRule } : {}) } : {};
  const attempts = final ? { attempts: routed.length } : {};
  if (party.role === "seller")
    return { ...common, reserveMicros: inputs.reserveMicros, ...price, ...attempts };
  if (party.role === "admin")
    return {
      ...common,
      reserveMicros: inputs.reserveMicros,
      ...price,
      ...attempts,
      winner: a.winner,
      reroutes: a.reroutes,
      ranking: r.ordered.map((o, i) => ({ rank: i + 1, ...o, refused: refusalOf(inputs, o.bidId) ?? null })),
      dropped: r.dropped,
    };
  const own = inputs.bids.filter((b) => b.buyerId === party.accountId);
  const ownBids = own.map((b) => {
    const at = r.ordered.findIndex((o) => o.bidId === b.bidId);
    const held = routed.find((d) => d.bidId === b.bidId);
    const result = !held ? "lost" : held === final ? "won" : "rerouted";
    return {
      bidId: b.bidId,
      campaignId: b.campaignId,
      amountMicros: b.amountMicros,
      rank: at < 0 ? null : at + 1,
      result,
      // A bid that held the call and lost it (no answer, an early hang-up): the price it held it at.
      ...(result === "rerouted" ? { priceMicros: held!.priceMicros } : {}),
      ...(result === "lost" ? { reason: { code: lossOf(inputs, r, b.bidId) } } : {}),
    };
  });
  // A loser learns the price it had to beat and why (a product decision: docs/api.md), nothing more.
  return { ...common, ownBids, ...price };
}

function refusalOf(inputs: AuctionInputs, bidId: string): string | undefined {
  return inputs.refused.find((x) => x.bidId === bidId)?.reason;
}

function lossOf(inputs: AuctionInputs, r: Recomputed, bidId: string): string {
  return r.dropped.find((d) => d.bidId === bidId)?.reason ?? refusalOf(inputs, bidId) ?? "outbid";
}
