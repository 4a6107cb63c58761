// Property check over seeded random markets: whatever bids changed between the read and the reservation,
// the reserved price never exceeds the winner's bid as it stands, and no bid that still covers its price
// is passed over. A small seeded generator instead of a property library: one loop, reproducible by seed.
import { describe, expect, it } from "vitest";
import type { BuyerState, CallFacts } from "../buyer/buyer-api.ts";
import { newBuyerState, reserve, upsertCampaign } from "../buyer/rules.ts";
import { testCampaign } from "../buyer/test-builders.ts";
import { fixedCtx } from "../kernel/ctx.ts";
import { ok } from "../kernel/result.ts";
import type { Bid, Loser } from "./auction-api.ts";
import { reserveInOrder } from "./reserve-order.ts";
import { rankBids } from "./rules.ts";

const T0 = Date.parse("2026-11-28T19:30:00Z");
const CALL: CallFacts = { callId: "call_1", callerHash: "h", vertical: "auto", tags: [] };

/** mulberry32: a tiny deterministic generator, so a failing seed can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) as number;
  };
}

/** One buyer per bid; each campaign's bid is the read amount moved by -100%..+50% by the time it reserves. */
function market(seed: number) {
  const r = rng(seed);
  const bids: Bid[] = [];
  const buyers = new Map<string, BuyerState>();
  const count = 1 + r(6);
  for (let i = 0; i < count; i++) {
    const amount = 1_000_000 + r(40) * 500_000 + r(3);
    const now = Math.max(1, Math.round(amount * (r(151) / 100)));
    const buyerId = `byr_${i}`;
    bids.push({
      bidId: `bid_${i}`,
      buyerId,
      campaignId: `bcp_${i}`,
      amountMicros: amount,
      priority: 1 + r(2),
      weight: 1,
      receivedAt: T0,
      source: "standing",
      destination: { number: "+13059870000" },
      minDurationSec: 0,
    });
    const ctx = fixedCtx(T0);
    const fresh = newBuyerState({ buyerId, name: "B", timezone: "UTC", creditLimitMicros: 0 }, ctx);
    const up = upsertCampaign(
      { ...fresh, balanceMicros: 10 ** 9 },
      testCampaign({ id: `bcp_${i}`, bidMicros: now }),
      ctx,
    );
    if (!up.ok) throw new Error(up.reason.code);
    buyers.set(buyerId, up.value.state);
  }
  const terms = {
    reserveMicros: r(4) * 1_000_000,
    type: r(2) === 0 ? ("first" as const) : ("second" as const),
  };
  return { bids, buyers, terms };
}

describe("reserveInOrder with buyers whose bids moved since they were read", () => {
  it.each(Array.from({ length: 300 }, (_, i) => i + 1))(
    "seed %i: never above the bid as it stands",
    async (seed) => {
      const { bids, buyers, terms } = market(seed);
      const ranking = rankBids(bids, terms, T0);
      const losers: Loser[] = [];
      const taken = await reserveInOrder(
        ranking.ordered,
        { nowMs: () => T0, skipBuyers: new Set() },
        async (bid, priceMicros, offered) => {
          const r = reserve(
            buyers.get(bid.buyerId)!,
            {
              callId: CALL.callId,
              campaignId: bid.campaignId,
              priceMicros,
              bid: offered,
              call: CALL,
              ttlMs: 1,
            },
            fixedCtx(T0),
            { lastSeenMs: null },
          );
          return r.ok ? ok(r.value.accepted) : r;
        },
        losers,
      );
      const current = (b: Bid) => buyers.get(b.buyerId)!.campaigns[b.campaignId]!.bidMicros;
      const tried = taken ? ranking.ordered.slice(0, taken.index) : ranking.ordered;
      // Every bid passed over was one whose current bid no longer covers its price, and it says so.
      expect(losers.map((l) => l.bidId)).toEqual(tried.map((o) => o.bid.bidId));
      for (const o of tried) expect(o.priceMicros).toBeGreaterThan(current(o.bid));
      expect(new Set(losers.map((l) => l.reason))).toEqual(new Set(tried.length ? ["bid_changed"] : []));
      if (taken) {
        expect(taken.accepted.priceMicros).toBe(taken.priceMicros);
        expect(taken.priceMicros).toBeLessThanOrEqual(current(taken.bid));
        expect(taken.priceMicros).toBeLessThanOrEqual(taken.bid.amountMicros);
        expect(taken.priceMicros).toBeGreaterThanOrEqual(terms.reserveMicros);
      }
    },
  );
});
