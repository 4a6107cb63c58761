// Partial refunds against real Postgres: a dispute's refund (`<callId>:<disputeId>`) counts toward what
// the call still has on hold, so the hold's release moves only the rest; a partial after the payout
// is owed back; refunds never pass the charge and the books stay balanced.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { throwawayDatabase } from "../db/test-database.ts";
import { trialBalance } from "../ledger/ledger.ts";
import { pendingLeft, postCharge, releaseAllDue, sellerPosition } from "./holds.ts";
import { payOut } from "./payout.ts";
import { refundedMicros, refundPart } from "./refunds.ts";

let t: Awaited<ReturnType<typeof throwawayDatabase>>;
beforeAll(async () => {
  t = await throwawayDatabase("refunds");
}, 60_000);
afterAll(() => t?.drop());

const DAY = 86_400_000;
const T0 = Date.parse("2026-11-02T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

async function charge(callId: string, sellerId: string) {
  const b = {
    callId,
    buyerId: "byr_1",
    sellerId,
    chargedMicros: 20_000_000,
    payoutMicros: 15_000_000,
    marginMicros: 5_000_000,
  };
  await t.db.transaction((tx) => postCharge(tx, b, iso(T0), `evt_${callId}`));
}
const part = (callId: string, ref: string, amount: number, at = T0 + 1000) =>
  t.db.transaction((tx) => refundPart(tx, callId, ref, amount, iso(at), "dispute"));

describe("partial refunds (Postgres)", () => {
  it("a dispute's refund comes off the hold, and the release moves only what is left", async () => {
    await charge("call_p1", "sel_p");
    const r = await part("call_p1", "call_p1:dsp_1", 4_000_000);
    expect(r).toMatchObject({ posted: true, sellerMicros: 3_000_000, marginMicros: 1_000_000 });
    expect(await pendingLeft(t.db, "call_p1", "sel_p")).toBe(12_000_000);
    expect((await part("call_p1", "call_p1:dsp_1", 4_000_000)).posted).toBe(false); // once per reference
    expect(await refundedMicros(t.db, "call_p1", "byr_1")).toBe(4_000_000);
    await releaseAllDue(t.db, T0 + 8 * DAY, ["sel_p"]);
    expect(await sellerPosition(t.db, "sel_p")).toEqual({
      pendingMicros: 0,
      payableMicros: 12_000_000,
      receivableMicros: 0,
    });
  });

  it("after the payout the seller's part is owed back; the rest of the charge and no more can be refunded", async () => {
    await charge("call_p2", "sel_q");
    await releaseAllDue(t.db, T0 + 8 * DAY, ["sel_q"]);
    await t.db.transaction((tx) => payOut(tx, "pay_q", T0 + 8 * DAY, ["sel_q"]));
    await part("call_p2", "call_p2:dsp_2", 10_000_000, T0 + 9 * DAY);
    expect(await sellerPosition(t.db, "sel_q")).toEqual({
      pendingMicros: 0,
      payableMicros: 0,
      receivableMicros: 7_500_000,
    });
    await expect(part("call_p2", "call_p2:dsp_3", 10_000_001, T0 + 9 * DAY)).rejects.toThrow(RangeError);
    const rest = await part("call_p2", "call_p2", 10_000_000, T0 + 9 * DAY);
    expect(rest).toMatchObject({ sellerMicros: 7_500_000, marginMicros: 2_500_000 });
    expect(await sellerPosition(t.db, "sel_q")).toEqual({
      pendingMicros: 0,
      payableMicros: 0,
      receivableMicros: 15_000_000,
    });
    expect(await trialBalance(t.db)).toEqual({ totalMicros: 0, unbalancedPostings: 0 });
  });
});
