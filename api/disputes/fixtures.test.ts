// Runs the dispute rules' JSON acceptance cases: the exchange's own verdict per reason and call facts
// (fixtures/resolve), and the proportional split of a (partial) refund with its rounding (fixtures/split).
import { describe, expect, it } from "vitest";
import { loadFixtures } from "../../actors/kernel/fixture-files.ts";
import { chargePosting } from "../ledger/postings.ts";
import { partialRefundPosting } from "../money/partial-refund.ts";
import { autoResolve, type DisputeFacts, type DisputeReason } from "./rules.ts";

interface ResolveFixture {
  description: string;
  given: DisputeFacts;
  when: { reason: DisputeReason };
  then: { status: string; note: string };
}

interface SplitFixture {
  description: string;
  given: {
    chargedMicros: number;
    payoutMicros: number;
    held: boolean;
    refundedBeforeMicros: number;
    pendingLeft: number;
    payable: number;
  };
  when: { refundMicros: number };
  then:
    | { sellerMicros: number; marginMicros: number; entries: { accountId: string; amountMicros: number }[] }
    | { error: string };
}

describe("dispute auto-resolution (fixtures/resolve)", () => {
  it.each(loadFixtures<ResolveFixture>(new URL("./fixtures/resolve/", import.meta.url)))("%s", (_, f) => {
    expect(autoResolve(f.when.reason, f.given)).toEqual(f.then);
  });
});

describe("proportional refund split (fixtures/split)", () => {
  it.each(loadFixtures<SplitFixture>(new URL("./fixtures/split/", import.meta.url)))("%s", (_, f) => {
    const g = f.given;
    const charge = chargePosting(
      {
        callId: "call_x",
        buyerId: "byr_b",
        sellerId: "sel_s",
        chargedMicros: g.chargedMicros,
        payoutMicros: g.payoutMicros,
        marginMicros: g.chargedMicros - g.payoutMicros,
      },
      "2026-12-01T00:00:00.000Z",
    ).entries.map((e) =>
      // A charge from before payout holds credited the seller's payable directly.
      !g.held && e.accountId.startsWith("seller_pending:") ? { ...e, accountId: "seller:sel_s" } : e,
    );
    const post = () =>
      partialRefundPosting(
        "call_x:dsp_1",
        charge,
        g.refundedBeforeMicros,
        f.when.refundMicros,
        { pendingLeft: g.pendingLeft, payable: g.payable },
        "2026-12-02T00:00:00.000Z",
        "test",
      );
    if ("error" in f.then) {
      expect(post).toThrow(f.then.error);
      return;
    }
    const d = post();
    expect({ sellerMicros: d.sellerMicros, marginMicros: d.marginMicros, entries: d.entries }).toEqual(
      f.then,
    );
    expect(d.entries.reduce((s, e) => s + e.amountMicros, 0)).toBe(0);
  });
});
