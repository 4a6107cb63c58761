// Offer-level acceptance cases (fixtures/offers), in Prebid Server's style: given the candidate
// campaigns (as the targeting index holds them), each bid source's reply mocked at the BidSources seam
// and the buyers as their actors hold them, the pure modules decide: prefilter, collectBidsFrom,
// rankBids, reserveInOrder over the buyer's reserve rule. Then: the decision, the losers with reasons in
// the auction summary's order, and the reservations asked for and answered.
// Fixture shapes are declared here on purpose, not borrowed from production types.
import { describe, expect, it } from "vitest";
import type { BuyerCampaign, BuyerState, CallFacts, CampaignCounters } from "../buyer/buyer-api.ts";
import { campaignProblems } from "../buyer/campaign-problems.ts";
import { emptyCounters } from "../buyer/caps.ts";
import { balanceOf, reserve } from "../buyer/rules.ts";
import { periodKeys } from "../buyer/schedule.ts";
import type { TargetingEntry } from "../buyer/targeting.ts";
import { targetingEntry } from "../buyer/targeting.ts";
import { fixedCtx } from "../kernel/ctx.ts";
import { loadFixtures } from "../kernel/fixture-files.ts";
import { ok } from "../kernel/result.ts";
import type { Loser } from "./auction-api.ts";
import { type BidSources, collectBidsFrom } from "./bid-sources.ts";
import { prefilterRefusal } from "./candidates.ts";
import { reserveInOrder } from "./reserve-order.ts";
import { rankBids } from "./rules.ts";

type Json = Record<string, unknown>;
/** A campaign as the targeting index holds it when the offer reads it; `rtb` makes it an RTB campaign. */
interface FixtureCandidate extends Json {
  id: string;
  buyerId: string;
  bidMicros?: number;
  rtb?: { timeoutMs: number };
}
/** An RTB endpoint's reply: an HTTP answer (after `afterMs`), no answer at all, or a transport error. */
type RtbReply =
  | { status: number; body?: unknown; text?: string; afterMs?: number }
  | { timeout: true }
  | { error: string };
/** A live buyer's answer for one campaign, or silence until the deadline. */
type LiveReply = { bidMicros: number; afterMs?: number } | "silence";
interface FixtureBuyer {
  status?: "active" | "inactive";
  balanceMicros?: number;
  creditLimitMicros?: number;
  /** The campaign as the buyer's actor holds it when asked to reserve (changed since the index read). */
  campaigns?: Record<string, Json>;
  counters?: Record<string, Partial<CampaignCounters>>;
  /** When the duplicate window (Redis) last saw this caller routed to the buyer. */
  lastSeen?: string;
}
interface Fixture {
  description: string;
  given: {
    terms: { reserveMicros: number; type: "first" | "second"; maxAuctionMs?: number };
    call?: Partial<CallFacts>;
    /** Buyers whose own Do-Not-Call list holds the caller. */
    suppressedBy?: string[];
    candidates: FixtureCandidate[];
    replies?: { rtb?: Record<string, RtbReply>; live?: Record<string, LiveReply> };
    buyers?: Record<string, FixtureBuyer>;
  };
  when: { kind: "offer" };
  then: {
    winner: { buyerId: string; campaignId: string; source: string; priceMicros: number } | null;
    losers: { campaignId: string; reason: string }[];
    /** Every reservation asked for, in try order, with the buyer's answer. */
    reservations: { campaignId: string; priceMicros: number; answer: string }[];
    /** The timeout each RTB endpoint was given (its own, capped by the time left to the deadline). */
    pings?: Record<string, number>;
    /** Each buyer's reserved micro-units afterwards. */
    reservedMicros: Record<string, number>;
  };
}

const NOW = Date.parse("2026-11-28T19:30:00Z"); // Saturday 14:30 in New York
const CALL: CallFacts = {
  callId: "call_1",
  callerHash: "caller_1",
  callerState: "TX",
  callerZip: "75001",
  areaCode: "214",
  vertical: "auto",
  tags: [],
};

function toCampaign(c: FixtureCandidate, over: Json = {}): BuyerCampaign {
  return {
    name: c.id,
    status: "active",
    vertical: "auto",
    states: [],
    bidMicros: 1_000_000,
    minDurationSec: 60,
    priority: 1,
    weight: 1,
    destination: { number: "+12125550100" },
    caps: {},
    duplicateWindowDays: 0,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    version: 1,
    ...c,
    ...(c.rtb ? { rtb: { url: "http://127.0.0.1:9/bid", ...c.rtb } } : {}),
    ...over,
  } as BuyerCampaign;
}

function toState(buyerId: string, candidates: FixtureCandidate[], b: FixtureBuyer = {}): BuyerState {
  const campaigns = candidates
    .filter((c) => c.buyerId === buyerId)
    .map((c) => toCampaign(c, b.campaigns?.[c.id]));
  for (const c of campaigns) expect(campaignProblems(c), `campaign ${c.id}`).toEqual([]);
  const keys = periodKeys("UTC", NOW);
  return {
    schema: 1,
    buyerId,
    name: buyerId,
    status: b.status ?? "active",
    timezone: "UTC",
    balanceMicros: b.balanceMicros ?? 100_000_000,
    creditLimitMicros: b.creditLimitMicros ?? 0,
    campaigns: Object.fromEntries(campaigns.map((c) => [c.id, c])),
    counters: Object.fromEntries(
      Object.entries(b.counters ?? {}).map(([id, c]) => [id, { ...emptyCounters(keys), ...c }]),
    ),
    reservations: {},
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
  };
}

/** Every source answers from the fixture; a reply arriving after the time it was given is no answer. */
function mockedSources(f: Fixture, pings: Record<string, number>): BidSources {
  const rtb = f.given.replies?.rtb ?? {};
  const live = f.given.replies?.live ?? {};
  const maxAuctionMs = f.given.terms.maxAuctionMs ?? 1_000;
  return {
    pingFacts: async () => ({ publisherId: "pub_fixture" }),
    async postPing(c, ping, timeoutMs) {
      expect(ping.campaignId).toBe(c.id);
      pings[c.id] = timeoutMs;
      const reply = rtb[c.id];
      if (reply === undefined) throw new Error(`fixture gives no RTB reply for ${c.id}`);
      if ("timeout" in reply) return { kind: "timeout" };
      if ("error" in reply) return { kind: "error", detail: reply.error };
      if ((reply.afterMs ?? 0) >= timeoutMs) return { kind: "timeout" };
      const text = reply.text ?? (reply.body === undefined ? "" : JSON.stringify(reply.body));
      return { kind: "answer", status: reply.status, text, receivedAt: NOW + (reply.afterMs ?? 0) };
    },
    async liveAnswers(eligible) {
      const present = new Set(eligible.filter((c) => live[c.id] !== undefined).map((c) => c.buyerId));
      const offered = eligible.filter((c) => present.has(c.buyerId));
      const answers = offered.flatMap((c) => {
        const reply = live[c.id];
        if (reply === undefined || reply === "silence" || (reply.afterMs ?? 0) >= maxAuctionMs) return [];
        const arrivedAt = NOW + (reply.afterMs ?? 0);
        return [{ buyerId: c.buyerId, campaignId: c.id, bidMicros: reply.bidMicros, arrivedAt }];
      });
      return { live: offered.map((c) => ({ buyerId: c.buyerId, campaignId: c.id })), answers };
    },
    dropped: () => {},
  };
}

async function runOffer(f: Fixture) {
  const { candidates, terms } = f.given;
  const call = { ...CALL, ...f.given.call };
  const ctx = fixedCtx(NOW);
  const buyerIds = [...new Set(candidates.map((c) => c.buyerId))];
  const states = new Map(buyerIds.map((id) => [id, toState(id, candidates, f.given.buyers?.[id])]));
  const losers: Loser[] = [];
  const suppressed = new Set(f.given.suppressedBy ?? []);
  const eligible: TargetingEntry[] = [];
  for (const c of candidates) {
    const entry = targetingEntry(toCampaign(c));
    const refusal = prefilterRefusal(entry, call, NOW, suppressed);
    if (refusal)
      losers.push({ bidId: "", buyerId: c.buyerId, campaignId: c.id, amountMicros: 0, reason: refusal });
    else eligible.push(entry);
  }
  const pings: Record<string, number> = {};
  const request = { call, exposeCallerId: false, sellerId: "sel_1", sellerCampaignId: "scp_1" };
  const deadlineMs = NOW + (terms.maxAuctionMs ?? 1_000);
  const collected = await collectBidsFrom(
    mockedSources(f, pings),
    eligible,
    { ...request, reserveMicros: terms.reserveMicros, deadlineMs },
    ctx,
  );
  losers.push(...collected.losers);
  const ranking = rankBids(collected.bids, terms, NOW);
  losers.push(...ranking.losers);
  const asked: Fixture["then"]["reservations"] = [];
  const taken = await reserveInOrder(
    ranking.ordered,
    { nowMs: () => NOW, skipBuyers: new Set() },
    async (bid, priceMicros, offered) => {
      const state = states.get(bid.buyerId)!;
      const lastSeen = f.given.buyers?.[bid.buyerId]?.lastSeen;
      const cmd = {
        callId: call.callId,
        campaignId: bid.campaignId,
        priceMicros,
        bid: offered,
        call,
        ttlMs: 60_000,
      };
      const r = reserve(state, cmd, fixedCtx(NOW), { lastSeenMs: lastSeen ? Date.parse(lastSeen) : null });
      asked.push({ campaignId: bid.campaignId, priceMicros, answer: r.ok ? "accepted" : r.reason.code });
      if (!r.ok) return r;
      states.set(bid.buyerId, r.value.state);
      return ok(r.value.accepted);
    },
    losers,
  );
  if (taken)
    for (const rest of ranking.ordered.slice(taken.index + 1)) losers.push({ ...rest.bid, reason: "outbid" });
  const { bid } = taken ?? {};
  return {
    winner: bid
      ? {
          buyerId: bid.buyerId,
          campaignId: bid.campaignId,
          source: bid.source,
          priceMicros: taken!.priceMicros,
        }
      : null,
    losers: losers.map((l) => ({ campaignId: l.campaignId, reason: l.reason })),
    reservations: asked,
    ...(f.then.pings === undefined ? {} : { pings }),
    reservedMicros: Object.fromEntries([...states].map(([id, s]) => [id, balanceOf(s).reservedMicros])),
  };
}

const load = (folder: "exemplary" | "supplemental") =>
  loadFixtures<Fixture>(new URL(`./fixtures/offers/${folder}`, import.meta.url));

const exemplary = load("exemplary");
const supplemental = load("supplemental");

describe("offer acceptance fixtures: candidates and mocked replies in, decision and reservations out", () => {
  it("has at least 10 cases, each with a description, given, when and then", () => {
    expect(exemplary.length).toBeGreaterThan(0);
    expect(exemplary.length + supplemental.length).toBeGreaterThanOrEqual(10);
    for (const [name, f] of [...exemplary, ...supplemental]) {
      expect(Object.keys(f).sort(), name).toEqual(["description", "given", "then", "when"]);
      expect(f.when, name).toEqual({ kind: "offer" });
    }
  });

  it.each(exemplary)(
    "exemplary cases have a winner, asked first, and no loser but the outbid: %s",
    (_name, f) => {
      expect(f.then.winner).not.toBeNull();
      expect(f.then.reservations.map((r) => r.answer)).toEqual(["accepted"]);
      expect(f.then.losers.filter((l) => l.reason !== "outbid")).toEqual([]);
    },
  );

  it.each([...exemplary, ...supplemental])("%s", async (_name, f) => {
    expect(await runOffer(f)).toEqual(f.then);
  });
});
