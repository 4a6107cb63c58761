// Runs every JSON ranking case in fixtures/exemplary and fixtures/supplemental against rankBids: the
// order bids are tried in, the price each clears at, and the bids dropped with their reasons. Buyer
// rules have their own cases beside them (actors/buyer/fixtures). Fixture shapes are declared here on
// purpose, not borrowed from production types.
import { describe, expect, it } from "vitest";
import { loadFixtures } from "../kernel/fixture-files.ts";
import type { Bid } from "./auction-api.ts";
import { rankBids } from "./rules.ts";

interface FixtureBid {
  bidId: string;
  amountMicros: number;
  buyerId?: string;
  campaignId?: string;
  priority?: number;
  weight?: number;
  receivedAt?: string;
  expiresAt?: string;
}
interface RankThen {
  ordered: { bidId: string; priceMicros: number }[];
  losers: { bidId: string; reason: string }[];
}
interface Fixture {
  description: string;
  given: {
    now?: string;
    terms?: { reserveMicros: number; type: "first" | "second" };
    bids?: FixtureBid[];
  };
  when: { kind: "rank" };
  then: RankThen;
}

const DEFAULT_NOW = "2026-11-28T19:30:00Z";
const ms = (iso: string): number => Date.parse(iso);

function toBid(b: FixtureBid, now: string): Bid {
  return {
    bidId: b.bidId,
    buyerId: b.buyerId ?? "buy_1",
    campaignId: b.campaignId ?? "cmp_a",
    amountMicros: b.amountMicros,
    priority: b.priority ?? 1,
    weight: b.weight ?? 1,
    receivedAt: ms(b.receivedAt ?? now),
    source: "standing",
    destination: { number: "+12125550100" },
    minDurationSec: 60,
    ...(b.expiresAt === undefined ? {} : { expiresAt: ms(b.expiresAt) }),
  };
}

function runRank(f: Fixture): void {
  const now = f.given.now ?? DEFAULT_NOW;
  const bids = (f.given.bids ?? []).map((b) => toBid(b, now));
  const terms = f.given.terms ?? { reserveMicros: 0, type: "first" };
  const view = (bs: Bid[]) => {
    const r = rankBids(bs, terms, ms(now));
    return {
      ordered: r.ordered.map((o) => ({ bidId: o.bid.bidId, priceMicros: o.priceMicros })),
      losers: r.losers.map((l) => ({ bidId: l.bidId, reason: l.reason })),
    };
  };
  expect(view(bids)).toEqual({ ordered: f.then.ordered, losers: f.then.losers });
  expect(view([...bids].reverse()).ordered).toEqual(f.then.ordered); // input order never matters
}

const load = (folder: "exemplary" | "supplemental") =>
  loadFixtures<Fixture>(new URL(`./fixtures/${folder}`, import.meta.url));

const exemplary = load("exemplary");
const supplemental = load("supplemental");

describe("auction ranking fixtures", () => {
  it("has ranking cases only, each with a description, given, when and then", () => {
    expect(exemplary.length + supplemental.length).toBeGreaterThanOrEqual(20);
    for (const [name, f] of [...exemplary, ...supplemental]) {
      expect(Object.keys(f).sort(), name).toEqual(["description", "given", "then", "when"]);
      expect(f.when, name).toEqual({ kind: "rank" });
    }
  });

  it.each(exemplary)("exemplary cases never expect a loser: %s", (_name, f) => {
    expect(f.then.losers).toEqual([]);
  });

  it.each([...exemplary, ...supplemental])("%s", (_name, f) => runRank(f));
});
