import { describe, expect, it } from "vitest";
import { assertBalanced, chargePosting, depositPosting, payoutPosting, postingId } from "./postings.ts";

const AT = "2026-11-28T12:00:00.000Z";
const sum = (entries: { amountMicros: number }[]) => entries.reduce((s, e) => s + e.amountMicros, 0);

describe("ledger postings", () => {
  it("a deposit moves cash in and credits the buyer", () => {
    const p = depositPosting("dep_1", "byr_1", 100_000_000, AT);
    expect(p.entries).toEqual([
      { accountId: "cash", amountMicros: 100_000_000 },
      { accountId: "buyer:byr_1", amountMicros: -100_000_000 },
    ]);
    expect(p.id).toBe(postingId("deposit", "dep_1"));
  });

  it("a charge splits the price between the seller's payout (pending, on hold) and the exchange's margin", () => {
    const p = chargePosting(
      {
        callId: "call_1",
        buyerId: "byr_1",
        sellerId: "sel_1",
        chargedMicros: 25_000_000,
        payoutMicros: 17_500_000,
        marginMicros: 7_500_000,
      },
      AT,
      "evt_1",
    );
    expect(p.entries).toEqual([
      { accountId: "buyer:byr_1", amountMicros: 25_000_000 },
      { accountId: "seller_pending:sel_1", amountMicros: -17_500_000 },
      { accountId: "revenue", amountMicros: -7_500_000 },
    ]);
    expect(sum(p.entries)).toBe(0);
    expect(p).toMatchObject({ kind: "charge", reference: "call_1", eventId: "evt_1" });
  });

  it("leaves out a zero margin line", () => {
    const p = chargePosting(
      { callId: "c", buyerId: "b", sellerId: "s", chargedMicros: 10, payoutMicros: 10, marginMicros: 0 },
      AT,
    );
    expect(p.entries.map((e) => e.accountId)).toEqual(["buyer:b", "seller_pending:s"]);
  });

  it("bills a zero-price call as zero: one charge with a zero buyer line and a zero seller line", () => {
    const p = chargePosting(
      { callId: "c", buyerId: "b", sellerId: "s", chargedMicros: 0, payoutMicros: 0, marginMicros: 0 },
      AT,
    );
    expect(p.entries).toEqual([
      { accountId: "buyer:b", amountMicros: 0 },
      { accountId: "seller_pending:s", amountMicros: 0 },
    ]);
    expect(Object.is(p.entries[1]!.amountMicros, -0)).toBe(false);
  });

  it("refuses a charge whose payout and margin do not add up to the price", () => {
    expect(() =>
      chargePosting(
        { callId: "c", buyerId: "b", sellerId: "s", chargedMicros: 10, payoutMicros: 6, marginMicros: 5 },
        AT,
      ),
    ).toThrow(RangeError);
  });

  it("a payout moves the seller's payable out of cash", () => {
    expect(payoutPosting("pay_1", "sel_1", 5, AT).entries).toEqual([
      { accountId: "seller:sel_1", amountMicros: 5 },
      { accountId: "cash", amountMicros: -5 },
    ]);
  });

  it("rejects unbalanced, fractional or one-line postings", () => {
    const base = { id: "p", kind: "deposit" as const, reference: "r", memo: "", occurredAt: AT };
    expect(() =>
      assertBalanced({
        ...base,
        entries: [
          { accountId: "a", amountMicros: 1 },
          { accountId: "b", amountMicros: -2 },
        ],
      }),
    ).toThrow(/sum to -1/);
    expect(() =>
      assertBalanced({
        ...base,
        entries: [
          { accountId: "a", amountMicros: 0.5 },
          { accountId: "b", amountMicros: -0.5 },
        ],
      }),
    ).toThrow(/integer/);
    expect(() => assertBalanced({ ...base, entries: [{ accountId: "a", amountMicros: 0 }] })).toThrow(
      /two entries/,
    );
    expect(() => depositPosting("d", "b", 0, AT)).toThrow();
    expect(() => payoutPosting("p", "s", -1, AT)).toThrow();
  });
});
