// Hard crashes of Redis under a load of billable calls, reconciled call by call. A kill -9 of Redis
// alone loses nothing (the kernel has every write the AOF made): the launcher restarts it from its
// append-only file and the books stay clean. A machine crash under `appendfsync everysec` can lose the
// last second of writes: simulated by cutting the AOF back to an offset noted a second before the
// kill, it leaves drift (buyer actors behind the ledger, calls lost, captures without charges), which
// `npm run repair` makes agree with the ledger; reconciliation is then clean, and a repair changes
// nothing more. Recovery times are logged (REDIS_CRASH lines) for the report.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { describeReport, isClean, reconcileUntilClean } from "../../scripts/reconcile.ts";
import { requestRepair } from "../../scripts/repair.ts";
import { assertChargedOnce, billableFlow, market, sleep, sql, untilRecovered } from "./chaos.ts";
import { waitFor } from "./client.ts";
import { killRedis, markAof, powerLossRedis, tolerantFlow } from "./redis-crash.ts";
import { ROOT } from "./stack.ts";

afterEach(() => untilRecovered(), 100_000);
afterAll(() => sql.end());

const PRICE = 15_000_000;
const CALLS = 40;

/** Billable calls started 50 ms apart: about two seconds of offers, connects and completions. */
const load = (seller: Awaited<ReturnType<typeof market>>["seller"]) =>
  Array.from({ length: CALLS }, (_, i) => sleep(i * 50).then(() => tolerantFlow(seller)));

/** A billable call whose charge the ledger has recorded. */
async function chargedFlow(seller: Awaited<ReturnType<typeof market>>["seller"]): Promise<string> {
  const callId = await billableFlow(seller);
  const charged = await waitFor(
    () => sql<{ n: number }[]>`
      select count(*)::int as n from ledger_postings where kind = 'charge' and reference = ${callId}`,
    (rows) => rows[0]!.n === 1,
    60_000,
  );
  expect(charged[0]!.n).toBe(1);
  return callId;
}

const log = (what: string, data: Record<string, unknown>) =>
  console.log(`REDIS_CRASH ${what} ${JSON.stringify(data)}`);

describe("Redis hard crash under load", () => {
  it("kill -9 of Redis: restarted from its AOF, every call completes and reconciles with no drift", async () => {
    const since = new Date().toISOString();
    const { buyer, seller } = await market();
    const flows = load(seller);
    await sleep(1_000);
    const t = await killRedis();
    const outcomes = await Promise.all(flows);
    const finished = Date.now();
    expect(outcomes.filter((o) => o.failedAt)).toEqual([]);
    const report = await reconcileUntilClean(since, 30);
    log("kill9", {
      redisBackMs: t.backAt - t.killedAt,
      callsFinishedMs: finished - t.killedAt,
      cleanMs: Date.now() - t.killedAt,
    });
    console.log(describeReport(report, "after kill -9").join("\n"));
    expect(report.calls.mismatches).toEqual([]);
    expect(report.calls.checkedCalls).toBe(CALLS);
    expect(isClean(report)).toBe(true);
    await assertChargedOnce(
      buyer,
      outcomes.map((o) => o.callId),
      PRICE,
    );
  }, 300_000);

  it("a machine crash cuts the AOF's last second: drift shows, npm run repair fixes it, books clean", async () => {
    const since = new Date().toISOString();
    const { buyer, seller } = await market();
    const flows = load(seller);
    await sleep(600);
    const mark = markAof();
    // What everysec may not have on disk when the machine dies: a second of the load, and a call that
    // starts and is charged within it. The load alone may lose only writes that leave no trace in the
    // ledger (offers not yet connected): the charged call's writes all go with the cut while the ledger
    // keeps its charge, so the crash always leaves drift for the repair.
    const [charged] = await Promise.all([chargedFlow(seller), sleep(1_000)]);
    const t = await powerLossRedis(mark);
    const outcomes = await Promise.all(flows);
    const finished = Date.now();
    expect(t.cutBytes).toBeGreaterThan(0);
    // Some calls may have been lost with the tail: their seller was answered 404 after the restart
    // (the call is gone), or 409 (the call went back to a state the event cannot follow).
    for (const o of outcomes.filter((x) => x.failedAt)) expect([404, 409]).toContain(o.status);

    // Pub/sub settles (30 s), yet the books still disagree: this is drift, not charges in flight.
    const drift = await reconcileUntilClean(since, 30, 5);
    console.log(describeReport(drift, "after the machine crash").join("\n"));
    expect(isClean(drift), "the lost second left drift").toBe(false);
    expect(
      drift.drift.map((d) => d.buyerId),
      `${charged} lost: its buyer drifts`,
    ).toContain(buyer);
    expect(drift.trialBalance).toEqual({ totalMicros: 0, unbalancedPostings: 0 });

    // The documented command, as an operator runs it.
    const started = Date.now();
    const { stdout } = await promisify(execFile)(
      "bash",
      [
        "scripts/node24.sh",
        "node",
        "--import",
        "tsx",
        "scripts/repair.ts",
        "--since",
        since,
        "--settle",
        "2",
        "--grace",
        "5",
        "--wait",
        "30",
      ],
      { cwd: ROOT },
    );
    console.log(stdout);
    expect(stdout).toMatch(/repair \(applied\)/);
    expect(stdout).toMatch(/: CLEAN$/m);
    const clean = await reconcileUntilClean(since, 30);
    expect(clean.calls.mismatches).toEqual([]);
    expect(clean.drift).toEqual([]);
    expect(isClean(clean)).toBe(true);
    log("powerLoss", {
      cutBytes: t.cutBytes,
      lostMs: t.lostMs,
      redisBackMs: t.backAt - t.killedAt,
      callsFinishedMs: finished - t.killedAt,
      lostCalls: outcomes.filter((o) => o.failedAt).length,
      buyersDrifting: drift.drift.length,
      driftMicros: drift.drift.map((d) => d.driftMicros),
      callsInQuestion: drift.calls.mismatches.map((m) => m.problem),
      repairMs: Date.now() - started,
    });
    // The repair is recorded in the audit trail, by the buyer actor: its event reaches Postgres through
    // pub/sub and the events app's next batch, so it may land a moment after the books reconcile.
    const repaired = await waitFor(
      () => sql<{ n: number }[]>`
        select count(*)::int as n from domain_events where type = 'buyer.repaired' and aggregate_id = ${buyer}`,
      (rows) => (rows[0]?.n ?? 0) > 0,
    );
    expect(repaired[0]!.n).toBeGreaterThan(0);

    // Idempotent: run again, nothing is left to do.
    const again = await requestRepair({ since, settleSec: 0, graceSec: 5 });
    expect(again.plan).toEqual({ lostCalls: [], charges: [], buyers: [], untouched: [] });

    // The repaired buyer trades on: a new call is charged once and the books stay clean.
    const next = await billableFlow(seller);
    const after = await reconcileUntilClean(since, 30);
    expect(after.calls.mismatches).toEqual([]);
    expect(isClean(after)).toBe(true);
    const [charges] = await sql<{ n: number }[]>`
      select count(*)::int as n from ledger_postings where kind = 'charge' and reference = ${next}`;
    expect(charges!.n).toBe(1);
  }, 400_000);
});
