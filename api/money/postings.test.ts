import { describe, expect, it } from "vitest";
import { chargePosting } from "../ledger/postings.ts";
import { giveBackSplit, refundPosting, releasePosting, releaseSplit } from "./postings.ts";

const AT = "2026-11-28T12:00:00.000Z";
const charge = chargePosting(
  { callId: "call_1", buyerId: "b", sellerId: "s", chargedMicros: 20, payoutMicros: 12, marginMicros: 8 },
  AT,
);

describe("payout hold postings", () => {
  it("a release moves the pending payout to payable", () => {
    expect(releasePosting("call_1", "s", 12, 0, AT).entries).toEqual([
      { accountId: "seller_pending:s", amountMicros: 12 },
      { accountId: "seller:s", amountMicros: -12 },
    ]);
  });

  it("a release pays what the seller owes first", () => {
    expect(releasePosting("call_1", "s", 12, 5, AT).entries).toEqual([
      { accountId: "seller_pending:s", amountMicros: 12 },
      { accountId: "seller_receivable:s", amountMicros: -5 },
      { accountId: "seller:s", amountMicros: -7 },
    ]);
    expect(releasePosting("call_1", "s", 12, 30, AT).entries).toEqual([
      { accountId: "seller_pending:s", amountMicros: 12 },
      { accountId: "seller_receivable:s", amountMicros: -12 },
    ]);
    expect(releaseSplit(12, 30)).toEqual({ toReceivable: 12, toPayable: 0 });
  });

  it("a refund of a call still on hold takes its payout back from pending", () => {
    const refund = refundPosting("call_1", charge.entries, { pendingLeft: 12, payable: 100 }, AT, "x");
    expect(refund.entries).toEqual([
      { accountId: "buyer:b", amountMicros: -20 },
      { accountId: "seller_pending:s", amountMicros: 12 },
      { accountId: "revenue", amountMicros: 8 },
    ]);
    expect(refund.id).not.toBe(charge.id);
  });

  it("a refund of a released call takes from the payable, and records the rest as owed", () => {
    expect(
      refundPosting("call_1", charge.entries, { pendingLeft: 0, payable: 100 }, AT, "x").entries,
    ).toEqual([
      { accountId: "buyer:b", amountMicros: -20 },
      { accountId: "seller:s", amountMicros: 12 },
      { accountId: "revenue", amountMicros: 8 },
    ]);
    expect(refundPosting("call_1", charge.entries, { pendingLeft: 0, payable: 5 }, AT, "x").entries).toEqual([
      { accountId: "buyer:b", amountMicros: -20 },
      { accountId: "seller:s", amountMicros: 5 },
      { accountId: "seller_receivable:s", amountMicros: 7 },
      { accountId: "revenue", amountMicros: 8 },
    ]);
    expect(giveBackSplit(12, 0, 0)).toEqual({ fromPending: 0, fromPayable: 0, owed: 12 });
  });

  it("a refund of a charge from before holds (payable credited) gives back from the payable", () => {
    const legacy = [
      { accountId: "buyer:b", amountMicros: 20 },
      { accountId: "seller:s", amountMicros: -12 },
      { accountId: "revenue", amountMicros: -8 },
    ];
    expect(refundPosting("call_1", legacy, { pendingLeft: 12, payable: 3 }, AT, "x").entries).toEqual([
      { accountId: "buyer:b", amountMicros: -20 },
      { accountId: "seller:s", amountMicros: 3 },
      { accountId: "seller_receivable:s", amountMicros: 9 },
      { accountId: "revenue", amountMicros: 8 },
    ]);
  });

  it("a zero charge is refunded as two zero lines; a release is positive", () => {
    const zero = [
      { accountId: "buyer:b", amountMicros: 0 },
      { accountId: "seller_pending:s", amountMicros: 0 },
    ];
    expect(refundPosting("c", zero, { pendingLeft: 0, payable: 0 }, AT, "x").entries).toEqual(zero);
    expect(() => releasePosting("c", "s", 0, 0, AT)).toThrow(RangeError);
  });
});
