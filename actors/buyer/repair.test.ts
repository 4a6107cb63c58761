// The buyer's repair rule: the balance becomes the ledger's, holds on calls no longer open end (spent
// when charged), a balance moved since the plan refuses, and a repair with nothing to do changes nothing.
import { describe, expect, it } from "vitest";
import type { BuyerState, Reservation } from "./buyer-api.ts";
import { type RepairCommand, repairBuyer } from "./repair.ts";

const T0 = Date.parse("2026-12-02T10:00:00Z");
const hold = (callId: string, priceMicros: number): Reservation => ({
  callId,
  campaignId: "bcp_1",
  priceMicros,
  reservedAt: T0 - 60_000,
  expiresAt: T0 + 3_600_000,
});
const counters = (inFlight: number, spendMicros: number) => ({
  inFlight,
  hour: { key: "h", calls: 2 },
  day: { key: "2026-12-02", calls: 2, spendMicros },
  month: { key: "m", calls: 2 },
  lifetime: 2,
});

function buyer(over: Partial<BuyerState> = {}): BuyerState {
  return {
    schema: 1,
    buyerId: "byr_1",
    name: "b",
    status: "active",
    timezone: "UTC",
    balanceMicros: 700,
    creditLimitMicros: 0,
    campaigns: {},
    counters: { bcp_1: counters(2, 300) },
    reservations: { call_a: hold("call_a", 150), call_b: hold("call_b", 150) },
    createdAt: "",
    updatedAt: "",
    ...over,
  };
}

const cmd = (over: Partial<RepairCommand> = {}): RepairCommand => ({
  repairId: "rep_1",
  expectedBalanceMicros: 700,
  ledgerBalanceMicros: 550,
  endHolds: [],
  voidCaptures: [],
  restoreCaptures: [],
  ...over,
});

describe("repairBuyer", () => {
  it("sets the balance to the ledger's and ends holds on calls no longer open", () => {
    const ends = [
      { callId: "call_a", charged: true },
      { callId: "call_b", charged: false },
      { callId: "call_gone", charged: false },
    ];
    const { state, outcome } = repairBuyer(buyer(), cmd({ endHolds: ends }), T0);
    expect(outcome).toEqual({
      applied: true,
      fromMicros: 700,
      toMicros: 550,
      endedHolds: ["call_a", "call_b"],
    });
    expect(state.balanceMicros).toBe(550);
    expect(state.reservations).toEqual({});
    // Both slots are free again; the charged call's spend stays counted, the other's is given back.
    expect(state.counters.bcp_1).toMatchObject({ inFlight: 0, day: { spendMicros: 150 } });
  });

  it("does nothing when the balance moved since the plan read it", () => {
    const before = buyer({ balanceMicros: 685 });
    const { state, outcome } = repairBuyer(
      before,
      cmd({ endHolds: [{ callId: "call_a", charged: true }] }),
      T0,
    );
    expect(state).toBe(before);
    expect(outcome).toMatchObject({ applied: false, stale: { expectedMicros: 700, foundMicros: 685 } });
  });

  it("changes nothing when actor and ledger already agree (a repeated repair)", () => {
    const before = buyer({ balanceMicros: 550 });
    const { state, outcome } = repairBuyer(before, cmd({ expectedBalanceMicros: 550 }), T0);
    expect(state).toBe(before);
    expect(outcome).toEqual({ applied: false, fromMicros: 550, toMicros: 550, endedHolds: [] });
  });

  it("a capture to void or restore is a change even with the balance right", () => {
    const before = buyer({ balanceMicros: 550 });
    const voids = [{ callId: "call_v", chargedMicros: 150 }];
    const { outcome } = repairBuyer(before, cmd({ expectedBalanceMicros: 550, voidCaptures: voids }), T0);
    expect(outcome.applied).toBe(true);
  });
});
