// Replay: the recorded inputs recomputed with the pure rules give the recorded decision, or say not.
import { describe, expect, it } from "vitest";
import { packedOf, RANKED_AT, recBid, threeBidders, USD } from "./fixtures.ts";
import { recordedAuction } from "./record.ts";
import { recompute, sameDecision } from "./replay.ts";
import { replayOf } from "./replays.ts";

describe("recompute", () => {
  it("first price: the highest bid wins at its own amount; a bid under the reserve is dropped", () => {
    const r = recompute(threeBidders("first").inputs);
    expect(r.winner).toEqual({ bidId: "bid_a", buyerId: "byr_a", priceMicros: 30 * USD });
    expect(r.ordered.map((o) => o.bidId)).toEqual(["bid_a", "bid_b"]);
    expect(r.dropped).toEqual([expect.objectContaining({ bidId: "bid_c", reason: "below_reserve" })]);
  });

  it("second price: the next valid bid plus one cent; a refused best bid passes the call on", () => {
    expect(recompute(threeBidders("second").inputs).winner?.priceMicros).toBe(20 * USD + 10_000);
    const refused = threeBidders("second", { refused: [{ bidId: "bid_a", reason: "insufficient_funds" }] });
    // The fallback's price is set only by the bids below it: none valid, so the reserve plus a cent.
    expect(recompute(refused.inputs).winner).toEqual({
      bidId: "bid_b",
      buyerId: "byr_b",
      priceMicros: 10 * USD + 10_000,
    });
  });

  it("a bid expired when the bids were ranked is dropped; every bid refused is a no-bid", () => {
    const a = threeBidders("first", {
      bids: [
        recBid("bid_a", "byr_a", 30 * USD, { expiresAt: RANKED_AT }),
        recBid("bid_b", "byr_b", 20 * USD),
      ],
    });
    expect(recompute(a.inputs).winner?.bidId).toBe("bid_b");
    const none = threeBidders("first", {
      refused: [
        { bidId: "bid_a", reason: "insufficient_funds" },
        { bidId: "bid_b", reason: "cap_concurrency" },
      ],
    });
    expect(recompute(none.inputs).winner).toBeNull();
  });
});

describe("replayOf", () => {
  it("matches when the recorded winner and price are what the rules give", () => {
    expect(replayOf(threeBidders("second")).matches).toBe(true);
    expect(replayOf(threeBidders("first")).matches).toBe(true);
  });

  it("does not match a recorded price, bid or buyer the rules would not give", () => {
    const a = threeBidders("second");
    expect(replayOf({ ...a, winner: { ...a.winner!, priceMicros: 30 * USD } }).matches).toBe(false);
    expect(replayOf({ ...a, winner: { ...a.winner!, bidId: "bid_b" } }).matches).toBe(false);
    expect(replayOf({ ...a, winner: null }).matches).toBe(false);
    expect(sameDecision(null, null)).toBe(true);
  });
});

describe("re-routes", () => {
  it("a fallback at the price the ranking gave its bid matches; a re-priced one or a buyer tried twice does not", () => {
    const a = threeBidders("second");
    const at = (priceMicros: number, buyerId = "byr_b", bidId = "bid_b") => ({ bidId, buyerId, priceMicros });
    expect(replayOf({ ...a, reroutes: [at(10 * USD + 10_000)] }).matches).toBe(true);
    expect(replayOf({ ...a, reroutes: [at(20 * USD + 10_000)] }).matches).toBe(false);
    expect(replayOf({ ...a, reroutes: [at(20 * USD + 10_000, "byr_a", "bid_a")] }).matches).toBe(false);
    expect(replayOf({ ...a, reroutes: [at(5 * USD, "byr_c", "bid_c")] }).matches).toBe(false); // dropped bid
  });
});

describe("recordedAuction", () => {
  it("reads an auction.closed row back, inputs included; a row without valid inputs has none", () => {
    const a = threeBidders("first");
    const row = { eventId: "evt_1", aggregateId: "call_1", occurredAt: a.closedAt };
    const data = {
      winner: { ...a.winner, destination: { number: "+12125550100" } },
      inputs: packedOf(a.inputs),
    };
    expect(recordedAuction({ ...row, data })).toEqual(a);
    expect(recordedAuction({ ...row, data: { winner: null } })).toEqual({
      ...a,
      winner: null,
      inputs: undefined,
    });
    const bad = { ...packedOf(a.inputs), b: [[0, "cmp_a"]] };
    expect(recordedAuction({ ...row, data: { winner: a.winner, inputs: bad } }).inputs).toBeUndefined();
  });
});
