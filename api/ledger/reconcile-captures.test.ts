// One call's capture verdict: one capture and one charge posting, same buyer and amount; else named.
import { describe, expect, it } from "vitest";
import { captureVerdict } from "./reconcile-captures.ts";

const paired = {
  callId: "call_a",
  captures: 1,
  capturedBuyerId: "byr_a",
  capturedMicros: 15_000_000,
  charges: 1,
  chargedBuyerId: "byr_a",
  chargedMicros: 15_000_000,
  recent: false,
};

describe("captureVerdict", () => {
  it("accepts a capture paired with one charge posting of its amount to its buyer", () => {
    expect(captureVerdict(paired)).toBeUndefined();
  });

  it("names a capture with no charge posting (a stranded settlement)", () => {
    const stranded = { ...paired, charges: 0, chargedBuyerId: null, chargedMicros: null };
    expect(captureVerdict(stranded)).toEqual({
      callId: "call_a",
      buyerId: "byr_a",
      status: null,
      problem: "capture_uncharged",
      detail: "1 capture(s), 0 charge postings",
      amountMicros: 15_000_000, // what npm run repair voids or charges
    });
    // Recorded within the grace window: the charge may still be on its way through pub/sub.
    expect(captureVerdict({ ...stranded, recent: true })).toBe("in_flight");
  });

  it("names a charge posting with no capture, and never calls it in flight once old", () => {
    const orphan = { ...paired, captures: 0, capturedBuyerId: null, capturedMicros: null };
    expect(captureVerdict(orphan)).toMatchObject({
      problem: "charge_uncaptured",
      buyerId: "byr_a",
      amountMicros: 15_000_000, // the capture npm run repair announces again
    });
    expect(captureVerdict({ ...orphan, recent: true })).toBe("in_flight");
  });

  it("names a pair whose buyer or amount differs, even when recent", () => {
    expect(captureVerdict({ ...paired, chargedMicros: 15_000_001, recent: true })).toMatchObject({
      problem: "capture_amount",
      detail: "captured 15000000 from byr_a, charged 15000001 to byr_a",
    });
    expect(captureVerdict({ ...paired, chargedBuyerId: "byr_b" })).toMatchObject({
      problem: "capture_amount",
    });
  });

  it("names two captures or two charges of one call, whatever their age", () => {
    expect(captureVerdict({ ...paired, captures: 2, recent: true })).toEqual({
      callId: "call_a",
      buyerId: "byr_a",
      status: null,
      problem: "capture_count",
      detail: "2 captures, 1 charge postings",
    });
  });
});
