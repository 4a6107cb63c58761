// A conversion-billed call's hold on the buyer: kept past the call (slot freed, price and spend held)
// until its conversion is captured or its window closes and it is released; the campaign rules.
import { describe, expect, it } from "vitest";
import { fixedCtx } from "../kernel/ctx.ts";
import type { BuyerState } from "./buyer-api.ts";
import { campaignProblems } from "./campaign-problems.ts";
import { awaitConversion } from "./conversion.ts";
import {
  balanceOf,
  capture,
  newBuyerState,
  release,
  reserve,
  sweepExpired,
  upsertCampaign,
} from "./rules.ts";
import { testCall, testCampaign } from "./test-builders.ts";

const T0 = Date.parse("2026-11-28T19:30:00Z");
const PRICE = 20_000_000;

function reserved(): BuyerState {
  const ctx = fixedCtx(T0);
  let s = newBuyerState({ buyerId: "byr_1", name: "b", timezone: "UTC", creditLimitMicros: 0 }, ctx);
  s = { ...s, balanceMicros: 100_000_000 };
  const c = testCampaign({ bidMicros: PRICE, billOn: "conversion", conversionWindowSec: 600 });
  const up = upsertCampaign(s, c, ctx);
  if (!up.ok) throw new Error("upsert");
  const r = reserve(
    up.value.state,
    {
      callId: "call_1",
      campaignId: c.id,
      priceMicros: PRICE,
      bid: { source: "standing", amountMicros: PRICE },
      call: testCall(),
      ttlMs: 60_000,
    },
    ctx,
    { lastSeenMs: null },
  );
  if (!r.ok) throw new Error(r.reason.code);
  expect(r.value.accepted.conversionWindowSec).toBe(600);
  return r.value.state;
}

const counters = (s: BuyerState) => s.counters.bcp_1!;

describe("awaitConversion", () => {
  it("frees the live slot, keeps the price and the day's spend held, and moves the expiry to the window", () => {
    const before = reserved();
    expect(counters(before).inFlight).toBe(1);
    const { state, held } = awaitConversion(before, { callId: "call_1", untilMs: T0 + 3_600_000 }, T0);
    expect(held).toBe(true);
    expect(counters(state).inFlight).toBe(0);
    expect(counters(state).day.spendMicros).toBe(PRICE);
    expect(balanceOf(state).reservedMicros).toBe(PRICE);
    expect(state.reservations.call_1!.expiresAt).toBe(T0 + 3_600_000);
    // The backstop sweep leaves it until then.
    expect(sweepExpired(state, T0 + 120_000).released).toEqual([]);
    // Told again: nothing changes (the slot is not freed twice).
    expect(awaitConversion(state, { callId: "call_1", untilMs: T0 }, T0).state).toBe(state);
  });

  it("a capture charges the price without freeing the slot again", () => {
    const waiting = awaitConversion(reserved(), { callId: "call_1", untilMs: T0 + 1 }, T0).state;
    const hot = { ...waiting, counters: { bcp_1: { ...counters(waiting), inFlight: 3 } } };
    const c = capture(hot, { callId: "call_1" }, fixedCtx(T0));
    if (!c.ok) throw new Error(c.reason.code);
    expect(c.value.chargedMicros).toBe(PRICE);
    expect(c.value.state.balanceMicros).toBe(80_000_000);
    expect(counters(c.value.state).inFlight).toBe(3);
    expect(counters(c.value.state).day.spendMicros).toBe(PRICE);
  });

  it("a release when the window closes gives the price and the day's spend back; nothing is charged", () => {
    const waiting = awaitConversion(reserved(), { callId: "call_1", untilMs: T0 + 1 }, T0).state;
    const r = release(waiting, { callId: "call_1", outcome: "not_converted" }, fixedCtx(T0));
    if (!r.ok) throw new Error(r.reason.code);
    expect(r.value.state.balanceMicros).toBe(100_000_000);
    expect(balanceOf(r.value.state).reservedMicros).toBe(0);
    expect(counters(r.value.state)).toMatchObject({ inFlight: 0, day: { spendMicros: 0 } });
  });

  it("answers held: false for a call it holds nothing for", () => {
    const s = reserved();
    expect(awaitConversion(s, { callId: "call_2", untilMs: T0 }, T0)).toEqual({ state: s, held: false });
  });
});

describe("campaign rules", () => {
  it("a conversion window only on a conversion-billed campaign", () => {
    expect(campaignProblems(testCampaign({ conversionWindowSec: 600 }))).toEqual([
      { field: "conversionWindowSec", message: 'applies only to a campaign with billOn "conversion"' },
    ]);
    expect(campaignProblems(testCampaign({ billOn: "conversion", conversionWindowSec: 600 }))).toEqual([]);
    expect(campaignProblems(testCampaign({ billOn: "conversion" }))).toEqual([]);
  });
});
