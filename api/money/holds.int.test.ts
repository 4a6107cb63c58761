// Payout holds against real Postgres (and the release sweep's lease against real Redis): charges hold
// the payout, releases by time net what the seller owes, refunds after payouts record a receivable,
// payout runs pay available money only; random sequences keep the books balanced.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../actors/platform/logger.ts";
import { createRedis } from "../../actors/platform/redis.ts";
import { throwawayDatabase } from "../db/test-database.ts";
import { postingEntries, trialBalance } from "../ledger/ledger.ts";
import { sellerBalance } from "./balance.ts";
import { postCharge, refundCharge, releaseAllDue, sellerPosition } from "./holds.ts";
import { payOut } from "./payout.ts";
import { RELEASE_LEASE_KEY, releaseSweeper } from "./release-sweep.ts";
import { sellerStatement } from "./statement.ts";

let t: Awaited<ReturnType<typeof throwawayDatabase>>;
beforeAll(async () => {
  t = await throwawayDatabase("holds");
}, 60_000);
afterAll(() => t?.drop());

const DAY = 86_400_000;
const T0 = Date.parse("2026-11-02T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();
let n = 0;
const ids = () => ({ callId: `call_${++n}_${Math.random().toString(16).slice(2, 8)}` });

async function charge(sellerId: string, at: number, charged = 20_000_000, payout = 15_000_000) {
  const { callId } = ids();
  const b = {
    callId,
    buyerId: "byr_1",
    sellerId,
    chargedMicros: charged,
    payoutMicros: payout,
    marginMicros: charged - payout,
  };
  expect(await t.db.transaction((tx) => postCharge(tx, b, iso(at), `evt_${callId}`))).toBe(true);
  return callId;
}
const refund = async (callId: string, at: number) =>
  t.db.transaction(async (tx) =>
    refundCharge(tx, callId, (await postingEntries(tx, "charge", callId))!, iso(at), "x"),
  );
const pay = (id: string, at: number, sellerIds?: string[]) =>
  t.db.transaction((tx) => payOut(tx, id, at, sellerIds));

describe("payout holds (Postgres)", () => {
  it("holds a payout for the default 7 days, or the seller's hold; a redelivered charge holds nothing twice", async () => {
    const callId = await charge("sel_a", T0);
    const b = {
      callId,
      buyerId: "byr_1",
      sellerId: "sel_a",
      chargedMicros: 20_000_000,
      payoutMicros: 15_000_000,
      marginMicros: 5_000_000,
    };
    expect(await t.db.transaction((tx) => postCharge(tx, b, iso(T0 + 5), "evt_again"))).toBe(false);
    const [hold] = await t.sql`select available_at from payout_holds where call_id = ${callId}`;
    expect(new Date(hold!.available_at).toISOString()).toBe(iso(T0 + 7 * DAY));
    await t.sql`insert into seller_payout_terms (seller_id, hold_sec) values ('sel_b', 60)`;
    const other = await charge("sel_b", T0);
    const [h2] = await t.sql`select available_at from payout_holds where call_id = ${other}`;
    expect(new Date(h2!.available_at).toISOString()).toBe(iso(T0 + 60_000));
    expect(await sellerPosition(t.db, "sel_a")).toEqual({
      pendingMicros: 15_000_000,
      payableMicros: 0,
      receivableMicros: 0,
    });
  });

  it("pays nothing on hold; after the hold pays it; a refund after payout is owed and netted by the next release", async () => {
    const s = "sel_c";
    const first = await charge(s, T0);
    expect(await pay("pay_c1", T0 + DAY)).not.toContainEqual(expect.objectContaining({ sellerId: s }));
    expect(await pay("pay_c2", T0 + 7 * DAY, [s])).toEqual([{ sellerId: s, amountMicros: 15_000_000 }]);
    expect(await pay("pay_c2", T0 + 9 * DAY, [s])).toEqual([{ sellerId: s, amountMicros: 15_000_000 }]); // the same run
    await refund(first, T0 + 8 * DAY);
    expect(await sellerPosition(t.db, s)).toEqual({
      pendingMicros: 0,
      payableMicros: 0,
      receivableMicros: 15_000_000,
    });
    await charge(s, T0 + 8 * DAY, 30_000_000, 24_000_000);
    expect(await releaseAllDue(t.db, T0 + 14 * DAY, [s])).toMatchObject({ micros: 0 });
    expect(await releaseAllDue(t.db, T0 + 15 * DAY, [s])).toMatchObject({ micros: 24_000_000 });
    expect(await sellerBalance(t.db, s)).toEqual({
      sellerId: s,
      payableMicros: 9_000_000,
      earnedMicros: 39_000_000,
      refundedMicros: 15_000_000,
      paidOutMicros: 15_000_000,
      pendingMicros: 0,
      receivableMicros: 0,
      payoutHoldDays: 7,
    });
    const st = await sellerStatement(t.db, s, "2026-11");
    expect(st.lines.map((l) => [l.kind, l.amountMicros, l.availability])).toEqual([
      ["charge", 15_000_000, "refunded"],
      ["payout", -15_000_000, undefined],
      ["refund", -15_000_000, undefined],
      ["charge", 24_000_000, "available"],
    ]);
    expect(st.closingBalanceMicros).toBe(9_000_000);
    expect(await trialBalance(t.db)).toEqual({ totalMicros: 0, unbalancedPostings: 0 });
  });

  it("a refund while on hold takes the payout back from pending and the release then moves nothing", async () => {
    const s = "sel_d";
    const callId = await charge(s, T0);
    await refund(callId, T0 + DAY);
    expect(await sellerPosition(t.db, s)).toEqual({
      pendingMicros: 0,
      payableMicros: 0,
      receivableMicros: 0,
    });
    expect(await releaseAllDue(t.db, T0 + 8 * DAY, [s])).toEqual({ released: 1, micros: 0 });
    const st = await sellerStatement(t.db, s, "2026-11");
    expect(st.lines.map((l) => l.availability)).toEqual(["refunded", undefined]);
  });

  it("the release sweep releases ended holds by time alone, one replica at a time under the lease", async () => {
    const redis = createRedis("redis://127.0.0.1:6380");
    const logger = createLogger("test", "silent");
    let now = T0;
    const a = releaseSweeper(redis, t.db, logger, 60_000, () => now);
    const b = releaseSweeper(redis, t.db, logger, 60_000, () => now);
    try {
      await redis.del(RELEASE_LEASE_KEY);
      await t.sql`insert into seller_payout_terms (seller_id, hold_sec) values ('sel_e', 30)`;
      await charge("sel_e", T0);
      expect(await a.tick()).toMatchObject({ micros: 0 });
      expect((await sellerPosition(t.db, "sel_e")).pendingMicros).toBe(15_000_000);
      now = T0 + 30_000;
      expect(await b.tick()).toBeNull(); // a holds the lease
      expect(await a.tick()).toMatchObject({ micros: 15_000_000 });
      expect(await sellerPosition(t.db, "sel_e")).toEqual({
        pendingMicros: 0,
        payableMicros: 15_000_000,
        receivableMicros: 0,
      });
    } finally {
      a.stop();
      b.stop();
      await redis.del(RELEASE_LEASE_KEY);
      redis.disconnect();
    }
  });

  it("random calls, releases, refunds and payouts keep the books balanced and no seller short", async () => {
    const step = fc.oneof(
      fc.record({ k: fc.constant("call" as const), payout: fc.integer({ min: 0, max: 10 }) }),
      fc.record({ k: fc.constant("time" as const), days: fc.constantFrom(1, 4, 8) }),
      fc.record({ k: fc.constant("refund" as const), i: fc.nat(9) }),
      fc.record({ k: fc.constant("payout" as const) }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 20, size: "max" }), async (steps) => {
        const s = `sel_p${++run}_${Math.random().toString(16).slice(2, 6)}`;
        const calls: string[] = [];
        const refunded = new Set<string>();
        let now = T0;
        let payouts = 0;
        for (const x of steps) {
          if (x.k === "call") calls.push(await charge(s, now, 10_000_000, x.payout * 1_000_000));
          else if (x.k === "time") now += x.days * DAY;
          else if (x.k === "refund" && calls[x.i] && !refunded.has(calls[x.i]!)) {
            await refund(calls[x.i]!, now);
            refunded.add(calls[x.i]!);
          } else if (x.k === "payout") {
            const before = await sellerPosition(t.db, s);
            await releaseAllDue(t.db, now, [s]);
            const available = (await sellerPosition(t.db, s)).payableMicros;
            const paid = await pay(`pay_${s}_${payouts++}`, now, [s]);
            expect(paid.reduce((m, p) => m + p.amountMicros, 0)).toBe(Math.max(available, 0));
            expect((await sellerPosition(t.db, s)).pendingMicros).toBeLessThanOrEqual(before.pendingMicros);
          }
          const p = await sellerPosition(t.db, s);
          expect(p.pendingMicros).toBeGreaterThanOrEqual(0);
          expect(p.payableMicros).toBeGreaterThanOrEqual(0);
          expect(p.receivableMicros).toBeGreaterThanOrEqual(0);
          if (p.receivableMicros > 0) expect(p.payableMicros).toBe(0);
          const bal = await sellerBalance(t.db, s);
          expect(bal.earnedMicros - bal.refundedMicros - bal.paidOutMicros).toBe(
            p.pendingMicros + p.payableMicros - p.receivableMicros,
          );
        }
        const [charges] =
          await t.sql`select count(*)::int as n, count(distinct reference)::int as d from ledger_postings where kind = 'charge'`;
        expect(charges!.n).toBe(charges!.d);
        expect(await trialBalance(t.db)).toEqual({ totalMicros: 0, unbalancedPostings: 0 });
      }),
      { numRuns: 15 },
    );
  }, 240_000);
});
