// Offer-level acceptance cases (fixtures/offers): bids as the auction read them, buyers as their actors
// hold them at reservation time; the ranking, the reservation loop and the buyer's rule decide the winner.
// Fixture shapes are declared here on purpose, not borrowed from production types.
import { describe, expect, it } from "vitest";
import type { BuyerCampaign, BuyerState, CallFacts } from "../buyer/buyer-api.ts";
import { campaignProblems } from "../buyer/campaign-problems.ts";
import { balanceOf, reserve } from "../buyer/rules.ts";
import { fixedCtx } from "../kernel/ctx.ts";
import { loadFixtures } from "../kernel/fixture-files.ts";
import { ok } from "../kernel/result.ts";
import type { Bid, Loser } from "./auction-api.ts";
import { reserveInOrder } from "./reserve-order.ts";
import { rankBids } from "./rules.ts";

interface FixtureBid {
  bidId: string;
  buyerId: string;
  campaignId: string;
  /** The amount the auction ranked: a standing bid as the targeting index read it. */
  amountMicros: number;
  source?: "standing" | "rtb" | "live";
}
interface FixtureBuyer {
  status?: "active" | "inactive";
  balanceMicros?: number;
  /** The buyer's campaigns as its actor holds them when asked to reserve (after any PATCH). */
  campaigns: Record<string, unknown>[];
}
interface Fixture {
  description: string;
  given: {
    terms: { reserveMicros: number; type: "first" | "second" };
    bids: FixtureBid[];
    buyers: Record<string, FixtureBuyer>;
  };
  when: { kind: "offer" };
  then: {
    winner: { bidId: string; priceMicros: number } | null;
    /** Dropped by the ranking, then refused by their buyers in try order. */
    losers: { bidId: string; reason: string }[];
    /** Each buyer's reserved micro-units afterwards. */
    reservedMicros: Record<string, number>;
  };
}

const NOW = Date.parse("2026-11-28T19:30:00Z");
const CALL: CallFacts = { callId: "call_1", callerHash: "caller_1", vertical: "auto", tags: [] };

function toState(buyerId: string, b: FixtureBuyer): BuyerState {
  const campaigns = b.campaigns.map(
    (c) =>
      ({
        name: "c",
        status: "active",
        vertical: "auto",
        states: [],
        minDurationSec: 60,
        priority: 1,
        weight: 1,
        destination: { number: "+12125550100" },
        caps: {},
        duplicateWindowDays: 0,
        createdAt: "2026-01-01T00:00:00.000Z",
        updatedAt: "2026-01-01T00:00:00.000Z",
        version: 2,
        ...c,
        buyerId,
      }) as unknown as BuyerCampaign,
  );
  for (const c of campaigns) expect(campaignProblems(c), `campaign ${c.id}`).toEqual([]);
  return {
    schema: 1,
    buyerId,
    name: buyerId,
    status: b.status ?? "active",
    timezone: "UTC",
    balanceMicros: b.balanceMicros ?? 100_000_000,
    creditLimitMicros: 0,
    campaigns: Object.fromEntries(campaigns.map((c) => [c.id, c])),
    counters: {},
    reservations: {},
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
  };
}

const toBid = (b: FixtureBid): Bid => ({
  bidId: b.bidId,
  buyerId: b.buyerId,
  campaignId: b.campaignId,
  amountMicros: b.amountMicros,
  priority: 1,
  weight: 1,
  receivedAt: NOW,
  source: b.source ?? "standing",
  destination: { number: "+12125550100" },
  minDurationSec: 60,
});

async function runOffer(f: Fixture) {
  const states = new Map(Object.entries(f.given.buyers).map(([id, b]) => [id, toState(id, b)]));
  const ranking = rankBids(f.given.bids.map(toBid), f.given.terms, NOW);
  const losers: Loser[] = [...ranking.losers];
  const taken = await reserveInOrder(
    ranking.ordered,
    { nowMs: () => NOW, skipBuyers: new Set() },
    async (bid, priceMicros, offered) => {
      const state = states.get(bid.buyerId);
      if (state === undefined) throw new Error(`fixture names unknown buyer ${bid.buyerId}`);
      const cmd = { callId: CALL.callId, campaignId: bid.campaignId, priceMicros, bid: offered, call: CALL };
      const r = reserve(state, { ...cmd, ttlMs: 60_000 }, fixedCtx(NOW), { lastSeenMs: null });
      if (!r.ok) return r;
      states.set(bid.buyerId, r.value.state);
      return ok(r.value.accepted);
    },
    losers,
  );
  return {
    winner: taken ? { bidId: taken.bid.bidId, priceMicros: taken.priceMicros } : null,
    losers: losers.map((l) => ({ bidId: l.bidId, reason: l.reason })),
    reservedMicros: Object.fromEntries([...states].map(([id, s]) => [id, balanceOf(s).reservedMicros])),
  };
}

const load = (folder: "exemplary" | "supplemental") =>
  loadFixtures<Fixture>(new URL(`./fixtures/offers/${folder}`, import.meta.url));

const exemplary = load("exemplary");
const supplemental = load("supplemental");

describe("offer acceptance fixtures: ranking, then reservations in try order", () => {
  it("has cases, each with a description, given, when and then", () => {
    expect(exemplary.length).toBeGreaterThan(0);
    expect(supplemental.length).toBeGreaterThan(0);
    for (const [name, f] of [...exemplary, ...supplemental]) {
      expect(Object.keys(f).sort(), name).toEqual(["description", "given", "then", "when"]);
      expect(f.when, name).toEqual({ kind: "offer" });
    }
  });

  it.each(exemplary)("exemplary cases have a winner and no loser: %s", (_name, f) => {
    expect(f.then.winner).not.toBeNull();
    expect(f.then.losers).toEqual([]);
  });

  it.each([...exemplary, ...supplemental])("%s", async (_name, f) => {
    expect(await runOffer(f)).toEqual(f.then);
  });
});
