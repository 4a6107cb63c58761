// Money through the real stack: deposits, charges from billable calls, refunds, payouts, statements,
// reconciliation and the trial balance, all against the Postgres ledger.
import { createHash } from "node:crypto";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { depositPosting } from "../ledger/postings.ts";
import { call, createBuyer, randomCaller, uniq, waitFor } from "./client.ts";
import { superuserSqlClient } from "./db-roles.ts";
import { freshMarket } from "./market.ts";

const sql = postgres("postgres://dce:dce@127.0.0.1:5433/dce", { max: 2, onnotice: () => undefined });
afterAll(() => sql.end());

type Postings = { balanceMicros: number; items: { kind: string; reference: string; amountMicros: number }[] };

async function billableCall(seller: { key: string; sellerCampaignId: string }, durationSec = 120) {
  const offer = await call<{ callId: string; status: string }>("POST", "/v1/calls", {
    key: seller.key,
    idempotencyKey: uniq(),
    body: { sellerCampaignId: seller.sellerCampaignId, callerNumber: randomCaller(), callerState: "FL" },
  });
  expect(offer.body.status).toBe("routed");
  const events = `/v1/calls/${offer.body.callId}/events`;
  await call("POST", events, { key: seller.key, body: { type: "connected" } });
  await call("POST", events, { key: seller.key, body: { type: "completed", durationSec } });
  return offer.body.callId;
}

describe("ledger", () => {
  it("posts deposits once, charges billable calls, refunds, pays out and reconciles", async () => {
    // No deposit yet: the test posts its own, and checks it is posted once.
    const { buyerId: buyer, seller } = await freshMarket({
      deposit: 0,
      buyer: { bidMicros: 20_000_000, minDurationSec: 60 },
      seller: { reserveMicros: 1_000_000, payout: { type: "share", percent: 75 } },
    });
    // No payout hold here: this test pays out right away (payout-holds.e2e.test.ts covers holds).
    await call("PUT", `/v1/sellers/${seller.sellerId}/payout-hold`, { body: { payoutHoldDays: 0 } });

    const key = uniq();
    const dep = await call("POST", `/v1/buyers/${buyer}/deposits`, {
      idempotencyKey: key,
      body: { amountMicros: 100_000_000 },
    });
    expect(dep.status).toBe(201);
    const again = await call("POST", `/v1/buyers/${buyer}/deposits`, {
      idempotencyKey: key,
      body: { amountMicros: 100_000_000 },
    });
    expect(again.body).toEqual(dep.body);
    const conflict = await call("POST", `/v1/buyers/${buyer}/deposits`, {
      idempotencyKey: key,
      body: { amountMicros: 5 },
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ code: "idempotency_conflict" });

    const charged = await billableCall(seller);
    const kept = await billableCall(seller);
    const postings = await waitFor(
      () => call<Postings>("GET", `/v1/ledger/postings?accountId=${buyer}`),
      (r) => r.body.items.filter((i) => i.kind === "charge").length === 2,
    );
    expect(postings.body.balanceMicros).toBe(60_000_000);
    expect(postings.body.items.map((i) => [i.kind, i.amountMicros])).toEqual([
      ["charge", -20_000_000],
      ["charge", -20_000_000],
      ["deposit", 100_000_000],
    ]);
    expect(
      postings.body.items
        .filter((i) => i.kind === "charge")
        .map((i) => i.reference)
        .sort(),
    ).toEqual([charged, kept].sort());
    // Released by the events app's sweep (a zero hold ends at once).
    await waitFor(
      () => call<{ payableMicros: number }>("GET", `/v1/sellers/${seller.sellerId}/balance`),
      (r) => r.body.payableMicros === 30_000_000,
    );
    expect((await call("GET", `/v1/sellers/${seller.sellerId}/balance`)).body).toMatchObject({
      payableMicros: 30_000_000,
      earnedMicros: 30_000_000,
    });

    // A refund reverses the charge: the buyer gets the price back, seller and exchange give back theirs.
    const refund = await call("POST", `/v1/calls/${charged}/refund`, {
      body: { reason: "caller was a wrong number" },
    });
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({ refundedMicros: 20_000_000, balance: { balanceMicros: 80_000_000 } });
    const refundAgain = await call("POST", `/v1/calls/${charged}/refund`, { body: { reason: "again" } });
    expect(refundAgain.body).toMatchObject({ balance: { balanceMicros: 80_000_000 } });
    const unbilled = await call("POST", `/v1/calls/call_${"0".repeat(28)}/refund`, { body: { reason: "x" } });
    expect(unbilled.status).toBe(409);
    expect(unbilled.body).toMatchObject({ code: "not_charged" });

    // A payout run moves the seller's payable to cash, once per idempotency key.
    const payoutKey = uniq();
    const payout = await call<{ items: { sellerId: string; amountMicros: number }[] }>(
      "POST",
      "/v1/payouts",
      {
        idempotencyKey: payoutKey,
        body: { sellerIds: [seller.sellerId] },
      },
    );
    expect(payout.status).toBe(201);
    expect(payout.body.items).toEqual([{ sellerId: seller.sellerId, amountMicros: 15_000_000 }]);
    const payoutAgain = await call("POST", "/v1/payouts", {
      idempotencyKey: payoutKey,
      body: { sellerIds: [seller.sellerId] },
    });
    expect(payoutAgain.body).toEqual(payout.body);
    expect((await call("GET", `/v1/sellers/${seller.sellerId}/balance`)).body).toEqual({
      sellerId: seller.sellerId,
      payableMicros: 0,
      earnedMicros: 30_000_000,
      refundedMicros: 15_000_000,
      paidOutMicros: 15_000_000,
      pendingMicros: 0,
      receivableMicros: 0,
      payoutHoldDays: 0,
    });

    // The month's statement, as JSON and CSV.
    const month = new Date().toISOString().slice(0, 7);
    const stmt = await call<{ openingBalanceMicros: number; closingBalanceMicros: number; lines: unknown[] }>(
      "GET",
      `/v1/statements/${buyer}?month=${month}`,
    );
    expect(stmt.body).toMatchObject({ openingBalanceMicros: 0, closingBalanceMicros: 80_000_000 });
    expect(stmt.body.lines).toHaveLength(4);
    const csv = await fetch(`http://127.0.0.1:8080/v1/statements/${buyer}?month=${month}&format=csv`, {
      headers: { authorization: (await import("./stack.ts")).adminKey().replace(/^/, "Bearer ") },
    });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe("occurred_at,posting_id,kind,reference,memo,amount_micros,balance_micros");
    expect(lines.at(-1)).toBe(",,closing_balance,,,,80000000");

    // The buyer actor's balance agrees with the ledger, and the books balance.
    const recon = await call<{
      drift: { buyerId: string }[];
      trialBalance: { totalMicros: number; unbalancedPostings: number };
    }>("GET", "/v1/admin/reconciliation");
    expect(recon.body.drift.filter((d) => d.buyerId === buyer)).toEqual([]);
    expect(recon.body.trialBalance).toEqual({ totalMicros: 0, unbalancedPostings: 0 });
  });

  it("a deposit posted to the ledger whose actor credit failed completes on retry, and only with the same amount", async () => {
    const buyer = await createBuyer(0);
    const key = uniq();
    const depositId = `dep_${createHash("sha256").update(`${buyer}\u0000${key}`).digest("hex").slice(0, 28)}`;
    // The first attempt reached the ledger and then died before the buyer actor was credited.
    const d = depositPosting(depositId, buyer, 40_000_000, new Date().toISOString());
    await sql.begin(async (tx) => {
      await tx`insert into ledger_accounts (id, kind, owner_id) values (${`buyer:${buyer}`}, 'buyer', ${buyer}) on conflict do nothing`;
      await tx`insert into ledger_postings (id, kind, reference, memo, occurred_at) values (${d.id}, 'deposit', ${depositId}, ${d.memo}, now())`;
      for (const e of d.entries) {
        await tx`insert into ledger_entries (posting_id, account_id, amount_micros) values (${d.id}, ${e.accountId}, ${e.amountMicros})`;
      }
    });
    const other = await call("POST", `/v1/buyers/${buyer}/deposits`, {
      idempotencyKey: key,
      body: { amountMicros: 1 },
    });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: "idempotency_conflict" });
    expect((await call("GET", `/v1/buyers/${buyer}/balance`)).body).toMatchObject({ balanceMicros: 0 });
    const retry = await call("POST", `/v1/buyers/${buyer}/deposits`, {
      idempotencyKey: key,
      body: { amountMicros: 40_000_000 },
    });
    expect(retry.status).toBe(201);
    expect((await call("GET", `/v1/buyers/${buyer}/balance`)).body).toMatchObject({
      balanceMicros: 40_000_000,
    });
    const recon = await call<{ drift: { buyerId: string }[] }>("GET", "/v1/admin/reconciliation");
    expect(recon.body.drift.filter((x) => x.buyerId === buyer)).toEqual([]);
  });

  it("keeps the ledger append-only and every posting balanced at the database level", async () => {
    // The app's role may not change them at all; the triggers refuse anyone else while they stand.
    await expect(
      sql`update ledger_entries set amount_micros = amount_micros + 1 where id = (select min(id) from ledger_entries)`,
    ).rejects.toThrow("permission denied for table ledger_entries");
    await expect(
      sql`delete from ledger_postings where id = (select min(id) from ledger_postings)`,
    ).rejects.toThrow("permission denied for table ledger_postings");
    const insider = superuserSqlClient();
    try {
      await expect(
        insider`update ledger_entries set amount_micros = amount_micros + 1 where id = (select min(id) from ledger_entries)`,
      ).rejects.toThrow(/append-only/);
      await expect(
        insider`delete from ledger_postings where id = (select min(id) from ledger_postings)`,
      ).rejects.toThrow(/append-only/);
    } finally {
      await insider.end();
    }
    await expect(
      sql.begin(async (tx) => {
        await tx`insert into ledger_postings (id, kind, reference, occurred_at) values ('pst_test_unbalanced', 'deposit', ${uniq()}, now())`;
        await tx`insert into ledger_entries (posting_id, account_id, amount_micros) values ('pst_test_unbalanced', 'cash', 5)`;
      }),
    ).rejects.toThrow(/does not balance/);
  });
});
