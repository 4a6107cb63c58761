// One call's reconciliation verdict: exactly one charge at the price on a billable call, none otherwise.
import { describe, expect, it } from "vitest";
import { callVerdict } from "./reconcile-calls.ts";

const billable = {
  callId: "call_a",
  buyerId: "byr_a",
  status: "completed",
  billable: true,
  priceMicros: 25_010_000,
  chargedMicros: 25_010_000,
  charges: 1,
  buyerChargedMicros: 25_010_000,
};

describe("callVerdict", () => {
  it("accepts a billable call charged once at its price, and an unbilled call with no charge", () => {
    expect(callVerdict(billable)).toBeUndefined();
    const open = { ...billable, status: "routed", billable: null, chargedMicros: null, charges: 0 };
    expect(callVerdict({ ...open, buyerChargedMicros: null })).toBeUndefined();
  });

  it("flags a billable call with no charge", () => {
    expect(callVerdict({ ...billable, charges: 0, buyerChargedMicros: null })).toEqual({
      callId: "call_a",
      buyerId: "byr_a",
      status: "completed",
      problem: "charge_missing",
      detail: "0 charges on a billable call",
    });
  });

  it("flags a charge that differs from the price, or went to another buyer", () => {
    expect(callVerdict({ ...billable, buyerChargedMicros: 25_000_000 })?.problem).toBe("charge_amount");
    expect(callVerdict({ ...billable, chargedMicros: 1 })?.problem).toBe("charge_amount");
    expect(callVerdict({ ...billable, buyerChargedMicros: null })?.detail).toBe(
      "price 25010000, call charged 25010000, ledger charged buyer null",
    );
  });

  it("flags a charge on a call that is not billable", () => {
    const unbilled = { ...billable, billable: false, chargedMicros: 0 };
    expect(callVerdict(unbilled)).toMatchObject({ problem: "charge_unexpected" });
    expect(callVerdict({ ...unbilled, charges: 0 })).toBeUndefined();
  });
});
