// Buyer rules: campaign upsert, eligibility order, and reserve/release/capture/sweep without mutating input.
import { describe, expect, it } from "vitest";
import { fixedCtx } from "../kernel/ctx.ts";
import type { BuyerCampaign, BuyerState, CallFacts, ReserveCommand } from "./buyer-api.ts";
import { applyDeposit } from "./funds.ts";
import {
  balanceOf,
  capture,
  eligibility,
  newBuyerState,
  release,
  reserve,
  sweepExpired,
  upsertCampaign,
} from "./rules.ts";

const USD = 1_000_000;
const DAY = 86_400_000;
const T0 = Date.parse("2026-11-28T19:30:00Z"); // Saturday 14:30 in New York
/** The Redis duplicate window has never seen this caller. */
const NEVER_SEEN = { lastSeenMs: null };

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function campaign(over: Partial<BuyerCampaign> = {}): BuyerCampaign {
  return {
    id: "cmp_a",
    buyerId: "buy_1",
    name: "Auto leads",
    status: "active",
    vertical: "auto",
    states: ["TX"],
    bidMicros: 20 * USD,
    minDurationSec: 90,
    priority: 1,
    weight: 1,
    destination: { number: "+12145550100" },
    caps: {},
    duplicateWindowDays: 0,
    createdAt: "",
    updatedAt: "",
    version: 0,
    ...over,
  };
}

/** A frozen buyer with $100, the given campaigns, at T0 unless told otherwise. */
function buyer(campaigns: BuyerCampaign[] = [campaign()], over: Partial<BuyerState> = {}): BuyerState {
  const ctx = fixedCtx(T0);
  let state: BuyerState = {
    ...newBuyerState(
      { buyerId: "buy_1", name: "B", timezone: "America/New_York", creditLimitMicros: 0 },
      ctx,
    ),
    balanceMicros: 100 * USD,
  };
  for (const c of campaigns) {
    const r = upsertCampaign(state, c, ctx);
    if (!r.ok) throw new Error(r.reason.code);
    state = r.value.state;
  }
  return deepFreeze({ ...state, ...over });
}

const call = (over: Partial<CallFacts> = {}): CallFacts => ({
  callId: "call_1",
  callerHash: "h_1",
  callerState: "TX",
  callerZip: "75001",
  areaCode: "214",
  vertical: "auto",
  tags: [],
  ...over,
});
const cmd = (over: Partial<ReserveCommand> = {}): ReserveCommand => ({
  callId: "call_1",
  campaignId: "cmp_a",
  priceMicros: 20 * USD,
  bid: { source: "standing", amountMicros: over.priceMicros ?? 20 * USD },
  call: call(),
  ttlMs: 60_000,
  ...over,
});

function reserved(state: BuyerState, c: ReserveCommand, at = T0): BuyerState {
  const r = reserve(state, c, fixedCtx(at), NEVER_SEEN);
  if (!r.ok) throw new Error(`reserve refused: ${r.reason.code}`);
  return deepFreeze(r.value.state);
}

describe("newBuyerState and upsertCampaign", () => {
  it("creates an active, empty buyer and rejects an unknown zone", () => {
    const s = newBuyerState(
      { buyerId: "buy_1", name: "B", timezone: "America/Phoenix", creditLimitMicros: 5 },
      fixedCtx(T0),
    );
    expect(s).toMatchObject({
      schema: 1,
      status: "active",
      balanceMicros: 0,
      creditLimitMicros: 5,
      campaigns: {},
      reservations: {},
    });
    expect(s.createdAt).toBe("2026-11-28T19:30:00.000Z");
    expect(() =>
      newBuyerState({ buyerId: "b", name: "B", timezone: "Nowhere/X", creditLimitMicros: 0 }, fixedCtx(T0)),
    ).toThrow(RangeError);
  });

  it("stamps a new campaign with version 1, the buyer's id and both times", () => {
    const s = buyer([campaign({ buyerId: "buy_other" })]);
    expect(s.campaigns.cmp_a).toMatchObject({
      buyerId: "buy_1",
      version: 1,
      createdAt: "2026-11-28T19:30:00.000Z",
    });
  });

  it("keeps counters and createdAt on update, bumps the version and updatedAt", () => {
    const s = reserved(buyer(), cmd());
    const r = upsertCampaign(s, campaign({ bidMicros: 25 * USD }), fixedCtx(T0 + 1000));
    if (!r.ok) throw new Error("refused");
    expect(r.value.campaign).toMatchObject({
      version: 2,
      bidMicros: 25 * USD,
      createdAt: "2026-11-28T19:30:00.000Z",
      updatedAt: "2026-11-28T19:30:01.000Z",
    });
    expect(r.value.state.counters.cmp_a).toBe(s.counters.cmp_a);
    expect(r.value.state.reservations).toBe(s.reservations);
  });

  it("throws on a campaign with conflicting fields (the actor checks first)", () => {
    expect(() => upsertCampaign(buyer(), campaign({ destination: {} }), fixedCtx(T0))).toThrow(/destination/);
  });
});

describe("eligibility", () => {
  const check = (
    s: BuyerState,
    c = s.campaigns.cmp_a!,
    f = call(),
    price = 20 * USD,
    seen?: number,
    at = T0,
  ) => {
    const r = eligibility(s, c, f, price, seen, at);
    return r.ok ? "ok" : r.reason.code;
  };

  it("accepts a matching call and checks in the contract's order", () => {
    expect(check(buyer())).toBe("ok");
    const everythingWrong = campaign({ status: "paused", vertical: "solar", caps: { concurrency: 1 } });
    expect(check(buyer([everythingWrong], { status: "inactive" }))).toBe("buyer_inactive");
    expect(check(buyer([everythingWrong]))).toBe("campaign_paused");
    expect(check(buyer([campaign({ vertical: "solar", states: ["CA"] })]))).toBe("targeting_vertical");
    expect(check(buyer([campaign({ states: ["CA"], zips: ["90210"] })]))).toBe("targeting_state");
    expect(check(buyer([campaign({ zips: ["90210"], tags: ["spanish"] })]))).toBe("targeting_zip");
    const closed = {
      timezone: "America/New_York",
      hours: [{ days: ["mon" as const], open: "09:00", close: "17:00" }],
    };
    expect(check(buyer([campaign({ tags: ["spanish"], schedule: closed })]))).toBe("targeting_tags");
    expect(
      check(buyer([campaign({ schedule: closed, duplicateWindowDays: 1 })]), undefined, call(), 1, T0 - 1),
    ).toBe("closed_hours");
  });

  it("admits a call by area code when the ZIP list does not hold it, and by ZIP when area codes do not", () => {
    expect(check(buyer([campaign({ zips: ["90210"], areaCodes: ["214"] })]))).toBe("ok");
    expect(check(buyer([campaign({ zips: ["75001"], areaCodes: ["310"] })]))).toBe("ok");
    expect(check(buyer([campaign({ zips: [], areaCodes: ["310"] })]))).toBe("targeting_zip");
    expect(check(buyer([campaign({ states: [] })]), undefined, call({ callerState: undefined }))).toBe("ok");
  });

  it("refuses a duplicate inside the window and accepts one at its edge", () => {
    const s = buyer([campaign({ duplicateWindowDays: 30 })]);
    expect(check(s, undefined, call(), 20 * USD, T0 - 30 * DAY + 1)).toBe("duplicate_caller");
    expect(check(s, undefined, call(), 20 * USD, T0 - 30 * DAY)).toBe("ok");
  });

  it("counts a window from another period as zero", () => {
    const s = buyer([campaign({ caps: { daily: 1, hourly: 1, monthly: 1 } })], {
      counters: {
        cmp_a: {
          inFlight: 0,
          hour: { key: "2026-11-28T13", calls: 1 },
          day: { key: "2026-11-27", calls: 1, spendMicros: 99 * USD },
          month: { key: "2026-10", calls: 1 },
          lifetime: 3,
        },
      },
    });
    expect(check(s)).toBe("ok");
  });

  it("counts open reservations and the credit limit in the funds available", () => {
    const s = reserved(buyer([campaign()], { balanceMicros: 30 * USD, creditLimitMicros: 10 * USD }), cmd());
    expect(balanceOf(s)).toEqual({
      balanceMicros: 30 * USD,
      creditLimitMicros: 10 * USD,
      reservedMicros: 20 * USD,
      availableMicros: 20 * USD,
    });
    expect(check(s, undefined, call({ callerHash: "h_2" }), 20 * USD)).toBe("ok");
    expect(check(s, undefined, call({ callerHash: "h_2" }), 20 * USD + 1)).toBe("insufficient_funds");
  });
});

describe("reserve", () => {
  it("holds a slot, counts the call in every period and adds the spend", () => {
    const r = reserve(buyer(), cmd(), fixedCtx(T0), NEVER_SEEN);
    if (!r.ok) throw new Error(r.reason.code);
    expect(r.value.accepted).toEqual({
      callId: "call_1",
      campaignId: "cmp_a",
      priceMicros: 20 * USD,
      expiresAt: T0 + 60_000,
      destination: { number: "+12145550100" },
      minDurationSec: 90,
    });
    expect(r.value.state.counters.cmp_a).toEqual({
      inFlight: 1,
      hour: { key: "2026-11-28T14", calls: 1 },
      day: { key: "2026-11-28", calls: 1, spendMicros: 20 * USD },
      month: { key: "2026-11", calls: 1 },
      lifetime: 1,
    });
    // Compact: the destination and minimum duration stay the campaign's while it keeps them.
    expect(r.value.state.reservations.call_1).toEqual({
      callId: "call_1",
      campaignId: "cmp_a",
      priceMicros: 20 * USD,
      reservedAt: T0,
      expiresAt: T0 + 60_000,
    });
  });

  it("answers a replayed reserve with the terms accepted, after its campaign changed them", () => {
    const s = reserved(buyer([campaign(), campaign({ id: "cmp_b" })]), cmd());
    const changed = upsertCampaign(
      s,
      campaign({ destination: { sip: "sip:new@example.com" }, minDurationSec: 30 }),
      fixedCtx(T0 + 1000),
    );
    if (!changed.ok) throw new Error("upsert refused");
    const after = changed.value.state;
    expect(after.reservations.call_1?.destination).toEqual({ number: "+12145550100" });
    const replay = reserve(after, cmd(), fixedCtx(T0 + 2000), NEVER_SEEN);
    expect(replay.ok && replay.value.accepted).toMatchObject({
      destination: { number: "+12145550100" },
      minDurationSec: 90,
    });
    // A new hold takes the new terms from the campaign; a change of another campaign or of other
    // fields leaves the holds as they are.
    const fresh = reserve(after, cmd({ callId: "call_2" }), fixedCtx(T0 + 2000), NEVER_SEEN);
    expect(fresh.ok && fresh.value.accepted).toMatchObject({
      destination: { sip: "sip:new@example.com" },
      minDurationSec: 30,
    });
    const other = upsertCampaign(s, campaign({ id: "cmp_b", minDurationSec: 5 }), fixedCtx(T0));
    expect(other.ok && other.value.state.reservations).toBe(s.reservations);
    const rename = upsertCampaign(s, campaign({ name: "Renamed" }), fixedCtx(T0));
    expect(rename.ok && rename.value.state.reservations).toBe(s.reservations);
  });

  it("replays a repeated reserve for the same campaign and refuses another campaign", () => {
    const s = reserved(buyer([campaign(), campaign({ id: "cmp_b" })]), cmd());
    const again = reserve(s, cmd({ priceMicros: 1 }), fixedCtx(T0 + 5000), NEVER_SEEN);
    expect(again.ok && again.value.state).toBe(s);
    expect(again.ok && again.value.accepted.priceMicros).toBe(20 * USD);
    const other = reserve(s, cmd({ campaignId: "cmp_b" }), fixedCtx(T0), NEVER_SEEN);
    expect(!other.ok && other.reason.code).toBe("already_reserved");
    const unknown = reserve(s, cmd({ callId: "call_2", campaignId: "cmp_zz" }), fixedCtx(T0), NEVER_SEEN);
    expect(!unknown.ok && unknown.reason.code).toBe("campaign_unknown");
  });

  it("passes on the eligibility refusal", () => {
    const s = buyer([campaign({ caps: { concurrency: 1 } })]);
    const r = reserve(
      reserved(s, cmd()),
      cmd({ callId: "call_2", call: call({ callerHash: "h_2" }) }),
      fixedCtx(T0),
      NEVER_SEEN,
    );
    expect(!r.ok && r.reason.code).toBe("cap_concurrency");
  });

  it("takes the duplicate window from the caller's last sighting it is given, and stores none", () => {
    const s = buyer([campaign({ duplicateWindowDays: 30 })]);
    const seen = (lastSeenMs: number | null) => reserve(s, cmd(), fixedCtx(T0), { lastSeenMs });
    expect(seen(T0 - 30 * DAY + 1)).toMatchObject({ ok: false, reason: { code: "duplicate_caller" } });
    const outside = seen(T0 - 30 * DAY);
    expect(outside.ok).toBe(true);
    expect(seen(null).ok).toBe(true);
    if (outside.ok) expect(Object.keys(outside.value.state).sort()).toEqual(Object.keys(s).sort());
  });
});

describe("a buyer document written before the duplicate window moved to Redis", () => {
  /** As stored by the old code: the state document with its recentCallers map. */
  const stored = () => {
    const s = buyer([campaign({ duplicateWindowDays: 30 })]);
    return deepFreeze(
      JSON.parse(JSON.stringify({ ...s, recentCallers: { h_1: T0 - DAY, h_9: T0 - 200 * DAY } })),
    ) as BuyerState;
  };

  it("loads and runs every rule; the old map decides nothing and the next reservation drops it", () => {
    const old = stored();
    expect(balanceOf(old).availableMicros).toBe(100 * USD);
    expect(upsertCampaign(old, campaign({ id: "cmp_b" }), fixedCtx(T0)).ok).toBe(true);
    // h_1 is in the old map one day ago, inside a 30-day window: only the Redis sighting counts now.
    const r = reserve(old, cmd(), fixedCtx(T0), NEVER_SEEN);
    if (!r.ok) throw new Error(r.reason.code);
    expect(r.value.state).not.toHaveProperty("recentCallers");
    expect(r.value.state.reservations.call_1?.priceMicros).toBe(20 * USD);
    const held = reserved(old, cmd());
    expect(capture(held, { callId: "call_1" }, fixedCtx(T0)).ok).toBe(true);
    expect(release(held, { callId: "call_1", outcome: "failed" }, fixedCtx(T0)).ok).toBe(true);
    expect(sweepExpired(held, T0 + 60_000).released).toEqual(["call_1"]);
  });
});

describe("release, capture and sweep", () => {
  it("release frees the slot and the day's spend but keeps the call counts", () => {
    const r = release(reserved(buyer(), cmd()), { callId: "call_1", outcome: "failed" }, fixedCtx(T0 + 1000));
    if (!r.ok) throw new Error("refused");
    expect(r.value.released).toBe(true);
    expect(r.value.state.reservations).toEqual({});
    expect(r.value.state.counters.cmp_a).toMatchObject({
      inFlight: 0,
      hour: { calls: 1 },
      day: { calls: 1, spendMicros: 0 },
      lifetime: 1,
    });
    expect(r.value.state.balanceMicros).toBe(100 * USD);
  });

  it("release does not give spend back to a later day", () => {
    const lateNight = Date.parse("2026-11-29T04:59:00Z"); // 23:59 local
    let s = reserved(buyer(), cmd(), lateNight);
    s = reserved(s, cmd({ callId: "call_2", call: call({ callerHash: "h_2" }) }), lateNight + 120_000); // 00:01 next day
    const r = release(s, { callId: "call_1", outcome: "failed" }, fixedCtx(lateNight + 180_000));
    if (!r.ok) throw new Error("refused");
    expect(r.value.state.counters.cmp_a?.day).toEqual({ key: "2026-11-29", calls: 1, spendMicros: 20 * USD });
    expect(r.value.state.counters.cmp_a?.inFlight).toBe(1);
  });

  it("release never takes live calls below zero", () => {
    const s = reserved(buyer(), cmd());
    const drifted = deepFreeze({ ...s, counters: { cmp_a: { ...s.counters.cmp_a!, inFlight: 0 } } });
    const r = release(drifted, { callId: "call_1", outcome: "failed" }, fixedCtx(T0));
    expect(r.ok && r.value.state.counters.cmp_a?.inFlight).toBe(0);
  });

  it("release of an unknown call is a no-op", () => {
    const s = buyer();
    const r = release(s, { callId: "call_x", outcome: "expired" }, fixedCtx(T0));
    expect(r).toEqual({ ok: true, value: { state: s, callId: "call_x", released: false } });
    expect(r.ok && r.value.state).toBe(s);
  });

  it("capture charges the price, frees the slot and keeps the spend; a second capture finds nothing", () => {
    const r = capture(reserved(buyer(), cmd()), { callId: "call_1" }, fixedCtx(T0 + 1000));
    if (!r.ok) throw new Error("refused");
    expect(r.value.chargedMicros).toBe(20 * USD);
    expect(balanceOf(r.value.state)).toEqual({
      balanceMicros: 80 * USD,
      creditLimitMicros: 0,
      reservedMicros: 0,
      availableMicros: 80 * USD,
    });
    expect(r.value.state.counters.cmp_a).toMatchObject({ inFlight: 0, day: { spendMicros: 20 * USD } });
    const again = capture(deepFreeze(r.value.state), { callId: "call_1" }, fixedCtx(T0 + 2000));
    expect(!again.ok && again.reason.code).toBe("call_unknown");
  });

  it("a released hold cannot be captured afterwards", () => {
    const r = release(
      reserved(buyer(), cmd()),
      { callId: "call_1", outcome: "expired" },
      fixedCtx(T0 + 1000),
    );
    if (!r.ok) throw new Error("refused");
    const late = capture(r.value.state, { callId: "call_1" }, fixedCtx(T0 + 2000));
    expect(!late.ok && late.reason.code).toBe("call_unknown");
  });

  it("sweeps only reservations whose expiry has passed", () => {
    let s = reserved(buyer(), cmd());
    s = reserved(s, cmd({ callId: "call_2", call: call({ callerHash: "h_2" }), ttlMs: 120_000 }));
    expect(sweepExpired(s, T0 + 59_999)).toEqual({ state: s, released: [] });
    const swept = sweepExpired(s, T0 + 60_000);
    expect(swept.released).toEqual(["call_1"]);
    expect(Object.keys(swept.state.reservations)).toEqual(["call_2"]);
    expect(swept.state.counters.cmp_a).toMatchObject({ inFlight: 1, day: { spendMicros: 20 * USD } });
  });
});

describe("deposits", () => {
  const fresh = () =>
    newBuyerState(
      { buyerId: "b", name: "B", timezone: "America/New_York", creditLimitMicros: 0 },
      fixedCtx(T0),
    );

  it("refuses a deposit that would take the balance past 2^53 micro-units, where it stops being exact", () => {
    const near = { ...fresh(), balanceMicros: Number.MAX_SAFE_INTEGER - 10 };
    expect(applyDeposit(near, { depositId: "d1", amountMicros: 10 }, T0)).toMatchObject({ ok: true });
    expect(applyDeposit(near, { depositId: "d2", amountMicros: 11 }, T0)).toMatchObject({
      ok: false,
      reason: { code: "invalid_amount" },
    });
  });
});
