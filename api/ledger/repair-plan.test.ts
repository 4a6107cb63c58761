// What the repair decides per kind of drift: lost calls end, a capture on a billable call gets its
// charge and on any other call is voided, a charge keeps its capture, holds on calls no longer open end
// and the balance becomes the ledger's; only drift seen twice alike is acted on.
import { describe, expect, it } from "vitest";
import type { CaptureMismatch } from "./reconcile-captures.ts";
import { planRepair, type RepairFacts, stablePlan } from "./repair-plan.ts";

const P = 15_000_000;
const mismatch = (callId: string, problem: CaptureMismatch["problem"]): CaptureMismatch => ({
  callId,
  buyerId: "byr_1",
  status: null,
  problem,
  detail: "",
  amountMicros: P,
});

function facts(over: Partial<RepairFacts> = {}): RepairFacts {
  return {
    buyers: [
      {
        buyerId: "byr_1",
        actor: { balanceMicros: 1_000 * 1_000_000, holds: ["call_open", "call_charged", "call_lost"] },
        ledgerBalanceMicros: 970 * 1_000_000,
      },
    ],
    openCalls: [
      { callId: "call_open", buyerId: "byr_1", lost: false },
      { callId: "call_lost", buyerId: "byr_1", lost: true },
    ],
    captures: [],
    billable: new Map(),
    chargeMissing: [],
    charged: new Set(["call_charged"]),
    keepHolds: new Set(),
    ...over,
  };
}

describe("planRepair", () => {
  it("ends lost calls, ends holds on calls not open (spent when charged), sets the ledger's balance", () => {
    const plan = planRepair(facts());
    expect(plan.lostCalls.map((c) => c.callId)).toEqual(["call_lost"]);
    expect(plan.buyers).toEqual([
      {
        buyerId: "byr_1",
        expectedBalanceMicros: 1_000_000_000,
        ledgerBalanceMicros: 970_000_000,
        endHolds: [
          { callId: "call_charged", charged: true },
          { callId: "call_lost", charged: false },
        ],
        voidCaptures: [],
        restoreCaptures: [],
      },
    ]);
  });

  it("charges a capture on a call the read model knows as billable; voids one on any other call", () => {
    const billed = {
      callId: "call_b",
      buyerId: "byr_1",
      sellerId: "sel_1",
      chargedMicros: P,
      payoutMicros: 9_000_000,
      marginMicros: 6_000_000,
      endedAt: "2026-12-02T00:00:00Z",
    };
    const plan = planRepair(
      facts({
        captures: [mismatch("call_b", "capture_uncharged"), mismatch("call_v", "capture_uncharged")],
        billable: new Map([["call_b", billed]]),
      }),
    );
    expect(plan.charges).toEqual([billed]);
    // The ledger will have the new charge: the buyer's balance is set to the ledger's after it.
    expect(plan.buyers[0]).toMatchObject({
      ledgerBalanceMicros: 970_000_000 - P,
      voidCaptures: [{ callId: "call_v", chargedMicros: P }],
    });
  });

  it("charges a billable call with neither charge nor capture, and announces its capture", () => {
    const billed = {
      callId: "call_m",
      buyerId: "byr_1",
      sellerId: "sel_1",
      chargedMicros: P,
      payoutMicros: P,
      marginMicros: 0,
      endedAt: "2026-12-02T00:00:00Z",
    };
    const plan = planRepair(facts({ chargeMissing: ["call_m"], billable: new Map([["call_m", billed]]) }));
    expect(plan.charges).toEqual([billed]);
    expect(plan.buyers[0]?.restoreCaptures).toEqual([{ callId: "call_m", chargedMicros: P }]);
  });

  it("announces a lost capture again for a charge that stands; leaves amount mismatches to a person", () => {
    const odd = { ...mismatch("call_x", "capture_amount"), amountMicros: undefined };
    const plan = planRepair(facts({ captures: [mismatch("call_c", "charge_uncaptured"), odd] }));
    expect(plan.buyers[0]?.restoreCaptures).toEqual([{ callId: "call_c", chargedMicros: P }]);
    expect(plan.untouched).toEqual([odd]);
  });

  it("keeps a hold the read model does not know yet (an offer or its events still on the way)", () => {
    const plan = planRepair(facts({ keepHolds: new Set(["call_charged"]) }));
    expect(plan.buyers[0]?.endHolds).toEqual([{ callId: "call_lost", charged: false }]);
  });

  it("plans nothing for a buyer whose actor agrees with the ledger, or cannot be read", () => {
    const agree = facts({
      buyers: [
        { buyerId: "byr_1", actor: { balanceMicros: 5, holds: ["call_open"] }, ledgerBalanceMicros: 5 },
      ],
      openCalls: [{ callId: "call_open", buyerId: "byr_1", lost: false }],
    });
    expect(planRepair(agree)).toEqual({ lostCalls: [], charges: [], buyers: [], untouched: [] });
    const unreadable = facts({ buyers: [{ buyerId: "byr_1", actor: null, ledgerBalanceMicros: 5 }] });
    expect(planRepair(unreadable).buyers).toEqual([]);
  });
});

describe("stablePlan", () => {
  it("keeps only what both plans hold alike (a buyer still moving is left for the next run)", () => {
    const a = planRepair(facts());
    const moved = facts();
    moved.buyers[0]!.actor!.balanceMicros -= P; // a capture happened between the two reads
    const b = planRepair(moved);
    const stable = stablePlan(a, b);
    expect(stable.lostCalls.map((c) => c.callId)).toEqual(["call_lost"]);
    expect(stable.buyers).toEqual([]);
    expect(stablePlan(a, a)).toEqual(a);
  });
});
