// Runs every JSON acceptance case of the buyer's rules (fixtures/exemplary and fixtures/supplemental):
// eligibility, reserve, release, capture and sweep on an in-memory buyer state. Fixture shapes are
// declared here on purpose, not borrowed from production types.
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { CreateBuyerCampaign } from "../../api/schemas/campaigns.ts";
import { fixedCtx } from "../kernel/ctx.ts";
import { loadFixtures } from "../kernel/fixture-files.ts";
import type { Result } from "../kernel/result.ts";
import type { BuyerCampaign, BuyerState, CallFacts, CampaignCounters } from "./buyer-api.ts";
import { campaignProblems } from "./campaign-problems.ts";
import { emptyCounters } from "./caps.ts";
import { balanceOf, capture, eligibility, release, reserve, sweepExpired } from "./rules.ts";
import { periodKeys } from "./schedule.ts";

type Json = Record<string, unknown>;
interface Given {
  now?: string;
  buyer?: {
    status?: "active" | "inactive";
    timezone?: string;
    balanceMicros?: number;
    creditLimitMicros?: number;
  };
  campaigns?: Json[];
  counters?: Record<string, Partial<CampaignCounters>>;
  reservations?: {
    callId: string;
    campaignId?: string;
    priceMicros: number;
    reservedAt?: string;
    expiresAt?: string;
  }[];
  /** The duplicate window as the actor keeps it in Redis: caller hash → when last routed here. */
  lastSeen?: Record<string, string>;
}
interface Step {
  do: "eligibility" | "reserve" | "release" | "capture" | "sweep";
  at?: string;
  callId?: string;
  campaignId?: string;
  priceMicros?: number;
  /** The bid being reserved; a standing bid ranked at the price when absent. */
  bid?: { source: "standing" | "rtb" | "live"; amountMicros: number };
  ttlMs?: number;
  call?: Partial<CallFacts>;
}
type When = { kind: "sequence"; steps: Step[] } | ({ kind: Step["do"] } & Omit<Step, "do">);
interface Expect {
  refused?: string;
  eligible?: true;
  accepted?: { callId: string; campaignId: string; priceMicros: number; expiresAt: string };
  released?: boolean;
  chargedMicros?: number;
  swept?: string[];
  unchanged?: true;
  counters?: Record<string, CampaignCounters>;
  balance?: {
    balanceMicros: number;
    creditLimitMicros: number;
    reservedMicros: number;
    availableMicros: number;
  };
  reservations?: string[];
  /** The duplicate window afterwards. */
  lastSeen?: Record<string, string>;
}
interface Fixture {
  description: string;
  given: Given;
  when: When;
  then: Json;
}

const DEFAULT_NOW = "2026-11-28T19:30:00Z"; // Saturday 14:30 in New York
const DESTINATION = { number: "+12125550100" };
const ms = (iso: string): number => Date.parse(iso);
const iso = (t: number): string => new Date(t).toISOString().replace(".000Z", "Z");

function toCampaign(c: Json): BuyerCampaign {
  return {
    id: "cmp_a",
    buyerId: "buy_1",
    name: `Campaign ${String(c.id ?? "cmp_a")}`,
    status: "active",
    vertical: "auto_insurance",
    states: [],
    bidMicros: 20_000_000,
    minDurationSec: 60,
    priority: 1,
    weight: 1,
    destination: DESTINATION,
    caps: {},
    duplicateWindowDays: 0,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    version: 1,
    ...c,
  } as BuyerCampaign;
}

function toState(g: Given, now: number): BuyerState {
  const timezone = g.buyer?.timezone ?? "America/New_York";
  const keys = periodKeys(timezone, now);
  const campaigns = (g.campaigns ?? [{}]).map(toCampaign);
  const counters: Record<string, CampaignCounters> = {};
  for (const [id, partial] of Object.entries(g.counters ?? {}))
    counters[id] = { ...emptyCounters(keys), ...partial };
  return {
    schema: 1,
    buyerId: "buy_1",
    name: "Buyer One",
    status: g.buyer?.status ?? "active",
    timezone,
    balanceMicros: g.buyer?.balanceMicros ?? 100_000_000,
    creditLimitMicros: g.buyer?.creditLimitMicros ?? 0,
    campaigns: Object.fromEntries(campaigns.map((c) => [c.id, c])),
    counters,
    reservations: Object.fromEntries(
      (g.reservations ?? []).map(({ callId, campaignId = "cmp_a", priceMicros }) => [
        callId,
        { callId, campaignId, priceMicros, reservedAt: now, expiresAt: now + 60_000 },
      ]),
    ),
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
  };
}

/** Caller hash → epoch ms: the buyer's duplicate window, kept in Redis by the actor (recent-callers.ts). */
type SeenWindow = Map<string, number>;

/**
 * Applies one step; returns the rule's result with the fields a fixture may assert, and the next state.
 * A reservation reads the caller's sighting from `seen` and, when it holds the call anew, marks it
 * there, as BuyerActor.reserve does with lastSeen/markSeen.
 */
function apply(
  state: BuyerState,
  seen: SeenWindow,
  step: Step,
  now: number,
): { result: Result<Json>; state: BuyerState } {
  const ctx = fixedCtx(now);
  const callId = step.callId ?? "call_1";
  const call: CallFacts = {
    callId,
    callerHash: "caller_1",
    callerState: "TX",
    callerZip: "75001",
    areaCode: "214",
    vertical: "auto_insurance",
    tags: [],
    ...step.call,
  };
  const campaignId = step.campaignId ?? "cmp_a";
  const priceMicros = step.priceMicros ?? 20_000_000;
  const keep = <T>(r: Result<T & { state: BuyerState }>, view: (v: T) => Json) =>
    r.ok
      ? { result: { ok: true as const, value: view(r.value) }, state: r.value.state }
      : { result: r, state };
  switch (step.do) {
    case "eligibility": {
      const campaign = state.campaigns[campaignId];
      if (campaign === undefined) throw new Error(`fixture names unknown campaign ${campaignId}`);
      const r = eligibility(state, campaign, call, priceMicros, seen.get(call.callerHash), now);
      return { result: r.ok ? { ok: true, value: { eligible: true } } : r, state };
    }
    case "reserve": {
      const bid = step.bid ?? { source: "standing", amountMicros: priceMicros };
      const r = reserve(
        state,
        { callId, campaignId, priceMicros, bid, call, ttlMs: step.ttlMs ?? 60_000 },
        ctx,
        { lastSeenMs: seen.get(call.callerHash) ?? null },
      );
      if (r.ok && r.value.state !== state) seen.set(call.callerHash, now);
      return keep(r, ({ accepted: a }) => ({
        accepted: {
          callId: a.callId,
          campaignId: a.campaignId,
          priceMicros: a.priceMicros,
          expiresAt: iso(a.expiresAt),
        },
      }));
    }
    case "release":
      return keep(release(state, { callId, outcome: "failed" }, ctx), (v) => ({ released: v.released }));
    case "capture":
      return keep(capture(state, { callId }, ctx), (v) => ({ chargedMicros: v.chargedMicros }));
    case "sweep": {
      const r = sweepExpired(state, now);
      return { result: { ok: true, value: { swept: r.released } }, state: r.state };
    }
  }
}

const OUTCOME_FIELD = {
  eligibility: "eligible",
  reserve: "accepted",
  release: "released",
  capture: "chargedMicros",
  sweep: "swept",
} as const;

function check(
  step: Step,
  expected: Expect,
  before: BuyerState,
  result: Result<Json>,
  after: BuyerState,
  seen: SeenWindow,
): void {
  if (expected.refused !== undefined) {
    expect(result.ok ? "accepted" : result.reason.code).toBe(expected.refused);
    expect(after).toBe(before); // a refusal never changes state
  } else {
    const field = OUTCOME_FIELD[step.do];
    expect(expected[field], `then must state "${field}" or "refused"`).toBeDefined();
    expect(result.ok ? result.value : result.reason).toEqual({ [field]: expected[field] });
  }
  if (expected.unchanged) expect(after).toBe(before);
  for (const [id, counters] of Object.entries(expected.counters ?? {}))
    expect(after.counters[id]).toEqual(counters);
  if (expected.balance !== undefined) expect(balanceOf(after)).toEqual(expected.balance);
  if (expected.reservations !== undefined)
    expect(Object.keys(after.reservations).sort()).toEqual(expected.reservations);
  if (expected.lastSeen !== undefined)
    expect(Object.fromEntries([...seen].map(([h, t]) => [h, iso(t)]))).toEqual(expected.lastSeen);
}

function runBuyer(f: Fixture): void {
  const now = ms(f.given.now ?? DEFAULT_NOW);
  let state = toState(f.given, now);
  const seen: SeenWindow = new Map(Object.entries(f.given.lastSeen ?? {}).map(([h, t]) => [h, ms(t)]));
  // A fixture campaign is one the API could have saved: its shape (the schema) and its cross-field rules.
  for (const c of Object.values(state.campaigns)) {
    expect(v.safeParse(CreateBuyerCampaign, c).issues, `campaign ${c.id} is malformed`).toBeUndefined();
    expect(campaignProblems(c), `campaign ${c.id} is invalid`).toEqual([]);
  }
  const { kind, ...rest } = f.when;
  const steps = kind === "sequence" ? (f.when as { steps: Step[] }).steps : [{ do: kind, ...rest } as Step];
  const expects = kind === "sequence" ? (f.then.steps as Expect[]) : [f.then as Expect];
  expect(expects).toHaveLength(steps.length);
  steps.forEach((step, i) => {
    const applied = apply(state, seen, step, step.at === undefined ? now : ms(step.at));
    check(step, expects[i]!, state, applied.result, applied.state, seen);
    state = applied.state;
  });
}

const load = (folder: "exemplary" | "supplemental") =>
  loadFixtures<Fixture>(new URL(`./fixtures/${folder}`, import.meta.url));

const exemplary = load("exemplary");
const supplemental = load("supplemental");

describe("buyer acceptance fixtures", () => {
  it("has at least 40 cases, each with a description, given, when and then", () => {
    expect(exemplary.length + supplemental.length).toBeGreaterThanOrEqual(60);
    for (const [name, f] of [...exemplary, ...supplemental]) {
      expect(Object.keys(f).sort(), name).toEqual(["description", "given", "then", "when"]);
    }
  });

  it.each(exemplary)("exemplary cases never expect a refusal or a loser: %s", (_name, f) => {
    expect(JSON.stringify(f.then)).not.toMatch(/"refused"|"reason"/);
  });

  it.each([...exemplary, ...supplemental])("%s", (_name, f) => runBuyer(f));
});
