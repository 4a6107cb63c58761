// Price fidelity: the buyer's reservation never exceeds the bid as the actor holds it when it reserves.
import { describe, expect, it } from "vitest";
import { fixedCtx } from "../kernel/ctx.ts";
import type { BidSource, BuyerCampaign, BuyerState, ReserveCommand } from "./buyer-api.ts";
import { priceRefusal } from "./price.ts";
import { balanceOf, capture, newBuyerState, reserve, upsertCampaign } from "./rules.ts";
import { testCall, testCampaign } from "./test-builders.ts";

const USD = 1_000_000;
const T0 = Date.parse("2026-11-28T19:30:00Z");

/** A buyer with $100 whose campaign bids `bidMicros` now (after any PATCH the auction did not see). */
function buyerBidding(bidMicros: number, over: Partial<BuyerCampaign> = {}): BuyerState {
  const ctx = fixedCtx(T0);
  const fresh = newBuyerState({ buyerId: "byr_1", name: "B", timezone: "UTC", creditLimitMicros: 0 }, ctx);
  const r = upsertCampaign({ ...fresh, balanceMicros: 100 * USD }, testCampaign({ bidMicros, ...over }), ctx);
  if (!r.ok) throw new Error(r.reason.code);
  return Object.freeze(r.value.state);
}

/** Reserve at `priceMicros` a bid ranked at `rankedMicros` (from `source`). */
function cmd(priceMicros: number, rankedMicros: number, source: BidSource = "standing"): ReserveCommand {
  return {
    callId: "call_1",
    campaignId: "bcp_1",
    priceMicros,
    bid: { source, amountMicros: rankedMicros },
    call: testCall(),
    ttlMs: 60_000,
  };
}

const outcome = (state: BuyerState, c: ReserveCommand) => {
  const r = reserve(state, c, fixedCtx(T0), { lastSeenMs: null });
  return r.ok ? `reserved ${r.value.accepted.priceMicros}` : r.reason.code;
};

describe("price fidelity in the buyer's reservation", () => {
  it("refuses a standing bid whose clearing price is above the campaign's bid as it stands now", () => {
    // Ranked at $30 from the index; the buyer lowered the bid to $12 before its actor reserved.
    const state = buyerBidding(12 * USD);
    const r = reserve(state, cmd(30 * USD, 30 * USD), fixedCtx(T0), { lastSeenMs: null });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason.code).toBe("bid_changed");
    expect(r.reason.detail).toContain(`bid ${12 * USD}`);
    expect(outcome(state, cmd(12 * USD + 1, 30 * USD))).toBe("bid_changed"); // one micro above
  });

  it("reserves at the ranked price when it is at or below the current bid, never re-pricing", () => {
    // Second price cleared at $20.01: a bid lowered from $30 to $25, or to exactly $20.01, still covers it.
    expect(outcome(buyerBidding(25 * USD), cmd(20_010_000, 30 * USD))).toBe("reserved 20010000");
    expect(outcome(buyerBidding(20_010_000), cmd(20_010_000, 30 * USD))).toBe("reserved 20010000");
    // A bid raised since it was read pays the price it was ranked at, not the new bid.
    expect(outcome(buyerBidding(40 * USD), cmd(30 * USD, 30 * USD))).toBe(`reserved ${30 * USD}`);
  });

  it("refuses a paused campaign whatever the bid's source, and reports the pause before the bid", () => {
    for (const source of ["standing", "rtb", "live"] as const) {
      expect(outcome(buyerBidding(30 * USD, { status: "paused" }), cmd(30 * USD, 30 * USD, source))).toBe(
        "campaign_paused",
      );
    }
    expect(outcome(buyerBidding(1 * USD, { status: "paused" }), cmd(30 * USD, 30 * USD))).toBe(
      "campaign_paused",
    );
  });

  it("refuses a deleted campaign (campaign_unknown)", () => {
    expect(outcome(buyerBidding(30 * USD, { id: "bcp_other" }), cmd(30 * USD, 30 * USD))).toBe(
      "campaign_unknown",
    );
  });

  it("does not cap an RTB or live answer by the campaign's standing bid: the answer is the bid", () => {
    expect(outcome(buyerBidding(1 * USD), cmd(31 * USD, 31 * USD, "rtb"))).toBe(`reserved ${31 * USD}`);
    expect(outcome(buyerBidding(1 * USD), cmd(31 * USD, 31 * USD, "live"))).toBe(`reserved ${31 * USD}`);
  });

  it("reports a changed bid before caps and budget, and leaves the state untouched", () => {
    const state = buyerBidding(5 * USD, { caps: { dailySpendMicros: 1 * USD } });
    const poor = { ...state, balanceMicros: 1 * USD };
    const r = reserve(poor, cmd(30 * USD, 30 * USD), fixedCtx(T0), { lastSeenMs: null });
    expect(!r.ok && r.reason.code).toBe("bid_changed");
    expect(balanceOf(poor).reservedMicros).toBe(0);
  });

  it("treats a price above the ranked bid as an auction bug (throws), for every source", () => {
    for (const source of ["standing", "rtb", "live"] as const) {
      expect(() =>
        priceRefusal(testCampaign({ bidMicros: 50 * USD }), { source, amountMicros: 10 }, 11),
      ).toThrow(RangeError);
    }
  });

  it("captures exactly the reserved price, never the bid", () => {
    const r = reserve(buyerBidding(25 * USD), cmd(20_010_000, 30 * USD), fixedCtx(T0), { lastSeenMs: null });
    if (!r.ok) throw new Error(r.reason.code);
    const charged = capture(r.value.state, { callId: "call_1" }, fixedCtx(T0 + 1000));
    expect(charged.ok && charged.value.chargedMicros).toBe(20_010_000);
    expect(charged.ok && charged.value.state.balanceMicros).toBe(100 * USD - 20_010_000);
  });
});
