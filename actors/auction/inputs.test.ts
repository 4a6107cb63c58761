// The inputs an auction.closed event records, packed: every bid's rule fields round-trip, only real
// bids count as refusals, and the packed form stays small (it rides every offer).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newId } from "../kernel/ids.ts";
import type { Bid } from "./auction-api.ts";
import { packInputs, unpackInputs } from "./inputs.ts";

const bid = (bidId: string, over: Partial<Bid> = {}): Bid => ({
  bidId,
  buyerId: "byr_1",
  campaignId: "cmp_1",
  amountMicros: 5,
  priority: 1,
  weight: 2,
  receivedAt: 100,
  source: "rtb",
  destination: { number: "+12125550100" },
  ...over,
});

const rules = ({ source: _s, destination: _d, minDurationSec: _m, ...rest }: Bid) => rest;

describe("packInputs / unpackInputs", () => {
  it("keeps each bid's ranking fields (not its destination or source) and the terms", () => {
    const packed = packInputs(
      "sel_1",
      { type: "second", reserveMicros: 3 },
      500,
      [bid("bid_a", { expiresAt: 900 })],
      [],
    );
    expect(JSON.stringify(packed)).not.toContain("+12125550100");
    expect(unpackInputs(JSON.parse(JSON.stringify(packed)))).toEqual({
      schema: 1,
      sellerId: "sel_1",
      auctionType: "second",
      reserveMicros: 3,
      rankedAtMs: 500,
      bids: [
        {
          bidId: "bid_a",
          buyerId: "byr_1",
          campaignId: "cmp_1",
          amountMicros: 5,
          priority: 1,
          weight: 2,
          receivedAt: 100,
          expiresAt: 900,
        },
      ],
      refused: [],
    });
  });

  it("records the reservation walk's refusals of bids, not candidates refused before bidding", () => {
    const tried = [
      {
        bidId: "bid_a",
        buyerId: "byr_1",
        campaignId: "cmp_1",
        amountMicros: 5,
        reason: "insufficient_funds",
      },
      { bidId: "", buyerId: "byr_2", campaignId: "cmp_2", amountMicros: 5, reason: "buyer_suppressed" },
    ] as const;
    const packed = packInputs("sel_1", { type: "first", reserveMicros: 0 }, 1, [bid("bid_a")], [...tried]);
    expect(unpackInputs(packed)?.refused).toEqual([{ bidId: "bid_a", reason: "insufficient_funds" }]);
  });

  it("round-trips any bids: real ids, odd ids, shared buyers, expiries", () => {
    const anyBid = fc.record({
      bidId: fc.oneof(
        fc.constant(null),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.constantFrom("bid_x", "bid_", "x_y_z"),
      ),
      buyerId: fc.constantFrom("byr_1", "byr_2", "byr_3"),
      campaignId: fc.string({ maxLength: 8 }),
      amountMicros: fc.nat(),
      priority: fc.integer({ min: 0, max: 9 }),
      weight: fc.integer({ min: 0, max: 100 }),
      receivedAt: fc.integer({ min: 0, max: 2e12 }),
      expiresAt: fc.option(fc.integer({ min: 0, max: 2e12 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(anyBid, { maxLength: 20 }), fc.integer({ min: 0, max: 2e12 }), (raw, at) => {
        const bids: Bid[] = raw.map((r) => ({
          ...r,
          bidId: r.bidId ?? newId("bid"),
          source: "standing",
          ...(r.expiresAt === undefined ? { expiresAt: undefined } : {}),
        }));
        for (const b of bids) if (b.expiresAt === undefined) delete b.expiresAt;
        const refusedAt = bids.length > 0 ? [{ ...bids[0]!, reason: "insufficient_funds" as const }] : [];
        const packed = JSON.parse(
          JSON.stringify(packInputs("sel", { type: "first", reserveMicros: 1 }, at, bids, refusedAt)),
        );
        const back = unpackInputs(packed);
        expect(back?.bids).toEqual(bids.map(rules));
        expect(back?.refused).toEqual(refusedAt.map((l) => ({ bidId: l.bidId, reason: l.reason })));
      }),
    );
  });

  it("rejects what is not a packed record", () => {
    const packed = packInputs("sel_1", { type: "first", reserveMicros: 0 }, 1, [bid("bid_a")], []);
    expect(unpackInputs(undefined)).toBeUndefined();
    expect(unpackInputs({ ...packed, v: 1 })).toBeUndefined();
    expect(unpackInputs({ ...packed, b: [[7, "cmp_1", 5, "a", 1, 2, 0]] })).toBeUndefined(); // no buyer 7
    expect(unpackInputs({ ...packed, x: [[3, "outbid"]] })).toBeUndefined(); // no bid 3
  });

  it("packs 100 real-id bids (a buyer each) in under 100 bytes a bid (an object a bid took 215)", () => {
    const now = Date.now();
    const bids: Bid[] = Array.from({ length: 100 }, (_, i) => ({
      bidId: newId("bid"),
      buyerId: newId("byr"),
      campaignId: newId("cmp"),
      amountMicros: 1_000_000 + i * 10_000,
      priority: 1,
      weight: 1,
      receivedAt: now - 3,
      source: "standing",
    }));
    const bytes = JSON.stringify(
      packInputs(newId("sel"), { type: "second", reserveMicros: 0 }, now, bids, []),
    );
    expect(bytes.length / 100).toBeLessThan(100);
  });
});
