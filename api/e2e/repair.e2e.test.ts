// `npm run repair` through the real stack, on drift made the way a machine crash makes it (the last
// second of Redis writes lost while their effects reached Postgres): a buyer's document put back to
// before a capture the ledger charged, a call's document gone while the read model has it connected,
// and that lost call's capture recorded with no charge. The repair makes the books clean in the
// direction of the ledger, tells the lost call's seller nothing new can happen to it, and a second
// repair finds nothing to do. (The chaos tier's redis-crash proof does the same after a real crash.)
import { afterAll, describe, expect, it } from "vitest";
import { domainEvent } from "../../actors/kernel/events.ts";
import { describeReport, isClean, reconcileUntilClean } from "../../scripts/reconcile.ts";
import { requestRepair } from "../../scripts/repair.ts";
import { COMPLETED, CONNECTED, callEvent, market, offerRouted, sql } from "./chaos.ts";
import { call, createBuyer, createBuyerCampaign, createSeller, uniq, waitFor } from "./client.ts";
import { redisClient } from "./compliance-helpers.ts";
import { run } from "./run.ts";
import { ROOT, sidecarHeaders } from "./stack.ts";

const PRICE = 15_000_000;
const since = new Date().toISOString();
const docKey = (type: string, id: string) => `exchange-actors||${type}||${id}||doc`;
/** A buyer's open holds, beside its document (one hash field per call). */
const holdsKey = (id: string) => `exchange-actors||BuyerActor||${id}||reservations`;
const redis = redisClient();

afterAll(async () => {
  redis.disconnect();
  await sql.end();
});

const balance = async (buyer: string) =>
  (await call<{ balanceMicros: number; reservedMicros: number }>("GET", `/v1/buyers/${buyer}/balance`)).body;

describe("npm run repair", () => {
  it("makes a buyer, a lost call and its stray capture agree with the ledger, once", async () => {
    const { buyer, seller } = await market();
    const idemA = uniq();
    const lost = await offerRouted(seller, idemA);
    await callEvent(seller, lost, idemA, CONNECTED);
    const idemB = uniq();
    const billed = await offerRouted(seller, idemB);
    await callEvent(seller, billed, idemB, CONNECTED);
    const before = await redis.hget(docKey("BuyerActor", buyer), "data");
    const holdsBefore = await redis.hgetall(holdsKey(buyer));
    await callEvent(seller, billed, idemB, COMPLETED);
    await waitFor(
      () =>
        sql<
          { n: number }[]
        >`select count(*)::int as n from ledger_postings where kind = 'charge' and reference = ${billed}`,
      (rows) => rows[0]?.n === 1,
    );
    // The crash: the buyer's capture of B is lost (its document and holds as before it), the lost
    // call's document is gone, and the capture of it the buyer announced reached Postgres without a charge.
    await redis
      .multi()
      .hset(docKey("BuyerActor", buyer), "data", before!)
      .hincrby(docKey("BuyerActor", buyer), "version", 1)
      .del(holdsKey(buyer))
      .hset(holdsKey(buyer), holdsBefore)
      .exec();
    await redis.del(docKey("CallActor", lost));
    const stray = domainEvent("buyer.captured", { type: "buyer", id: buyer }, lost, Date.now(), {
      callId: lost,
      chargedMicros: PRICE,
    });
    const published = await fetch("http://127.0.0.1:3502/v1.0/publish/pubsub/domain-events", {
      method: "POST",
      headers: { ...sidecarHeaders(), "content-type": "application/json" },
      body: JSON.stringify(stray),
    });
    expect(published.ok).toBe(true);
    const drift = await reconcileUntilClean(since, 10, 0);
    console.log(describeReport(drift, "injected").join("\n"));
    expect(drift.drift).toMatchObject([
      { buyerId: buyer, driftMicros: PRICE, reservedMicros: 2 * PRICE, openCallsMicros: PRICE },
    ]);
    expect(drift.calls.mismatches).toMatchObject([{ callId: lost, problem: "capture_uncharged" }]);
    // Lost, not archived: the read model still shows it in progress, so the seller hears "no such call".
    const unknown = await call<{ code: string }>("POST", `/v1/calls/${lost}/events`, {
      key: seller.key,
      body: COMPLETED,
    });
    expect([unknown.status, unknown.body.code]).toEqual([404, "call_unknown"]);

    const r = await run(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/repair.ts",
        "--since",
        since,
        "--settle",
        "1",
        "--grace",
        "0",
        "--wait",
        "30",
      ],
      { cwd: ROOT, timeout: 120_000 },
    );
    console.log(r.stdout, r.stderr);
    expect(r.stdout).toContain(`call ${lost}: did end as failed (state_lost)`);
    expect(r.stdout).toContain(
      `buyer ${buyer}: balance 1000000000 -> ${1_000_000_000 - PRICE}; 2 holds ended`,
    );
    expect(r.status).toBe(0);
    const clean = await reconcileUntilClean(since, 30);
    expect(isClean(clean)).toBe(true);

    // The ledger's figures, everywhere: one charge (B), nothing held, the lost call failed, not billed.
    expect(await balance(buyer)).toMatchObject({ balanceMicros: 1_000_000_000 - PRICE, reservedMicros: 0 });
    const [row] = await sql<{ status: string; reason: string; billable: boolean }[]>`
      select status, reason_code as reason, billable from calls where call_id = ${lost}`;
    expect(row).toEqual({ status: "failed", reason: "state_lost", billable: false });
    const events = await sql<{ type: string }[]>`
      select type from domain_events where aggregate_id = ${buyer}
        and type in ('buyer.repaired', 'buyer.capture_voided') order by type`;
    expect(events.map((e) => e.type)).toEqual(["buyer.capture_voided", "buyer.repaired"]);
    // Once repaired it is a finished call (failed, state_lost) with no live record: refused as archived.
    const late = await call<{ code: string }>("POST", `/v1/calls/${lost}/events`, {
      key: seller.key,
      body: COMPLETED,
    });
    expect([late.status, late.body.code]).toEqual([409, "call_archived"]);

    // Idempotent: nothing left to do, nothing changed.
    const again = await requestRepair({ since, settleSec: 0, graceSec: 0 });
    expect(again.plan).toEqual({ lostCalls: [], charges: [], buyers: [], untouched: [] });
  }, 180_000);

  it("keeps the hold of a completed call awaiting its conversion while it repairs its buyer", async () => {
    const vertical = `v_${uniq().slice(0, 8)}`;
    const buyer = await createBuyer(1_000_000_000);
    await createBuyerCampaign(buyer, {
      vertical,
      bidMicros: PRICE,
      minDurationSec: 60,
      billOn: "conversion",
      conversionWindowSec: 600,
    });
    const seller = await createSeller({ vertical, reserveMicros: 1_000_000, routingTtlSec: 600 });
    const idem = uniq();
    const awaiting = await offerRouted(seller, idem);
    await callEvent(seller, awaiting, idem, CONNECTED);
    await callEvent(seller, awaiting, idem, COMPLETED);
    await waitFor(
      () => sql<{ s: string | null }[]>`select conversion_status as s from calls where call_id = ${awaiting}`,
      (rows) => rows[0]?.s === "awaiting",
    );
    expect(await balance(buyer)).toMatchObject({ balanceMicros: 1_000_000_000, reservedMicros: PRICE });
    // The crash: a deposit reached the ledger, its credit of the buyer's document was lost.
    const before = await redis.hget(docKey("BuyerActor", buyer), "data");
    const dep = await call("POST", `/v1/buyers/${buyer}/deposits`, {
      idempotencyKey: uniq(),
      body: { amountMicros: 5_000_000 },
    });
    expect(dep.status).toBe(201);
    await redis
      .multi()
      .hset(docKey("BuyerActor", buyer), "data", before!)
      .hincrby(docKey("BuyerActor", buyer), "version", 1)
      .exec();
    const drift = await reconcileUntilClean(since, 5, 0);
    expect(drift.drift).toMatchObject([
      { buyerId: buyer, driftMicros: -5_000_000, reservedMicros: PRICE, openCallsMicros: PRICE },
    ]);

    const r = await requestRepair({ since, settleSec: 1, graceSec: 0 });
    // The balance comes back to the ledger's; the awaiting call is open: neither lost nor its hold ended.
    expect(r.plan.lostCalls).toEqual([]);
    expect(r.applied.buyers).toMatchObject([
      { buyerId: buyer, fromMicros: 1_000_000_000, toMicros: 1_005_000_000, endedHolds: [] },
    ]);
    const clean = await reconcileUntilClean(since, 30);
    console.log(describeReport(clean, "after repair").join("\n"));
    expect(isClean(clean)).toBe(true);
    expect(await balance(buyer)).toMatchObject({ balanceMicros: 1_005_000_000, reservedMicros: PRICE });
  }, 180_000);
});
