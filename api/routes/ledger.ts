// Money from the book of record: postings by account, seller balances, refunds, payout runs,
// monthly statements and the reconciliation of buyer actors against the ledger.
import { createHash } from "node:crypto";
import { and, eq, like, sql } from "drizzle-orm";
import { Hono } from "hono";
import type { IBuyerActor } from "../../actors/buyer/buyer-api.ts";
import type { ICallActor } from "../../actors/call/call-api.ts";
import { canonicalJson } from "../../actors/kernel/canonical-json.ts";
import { actorProxy, publishEvents } from "../../actors/platform/dapr-client.ts";
import { ledgerAccounts, ledgerEntries, ledgerPostings } from "../db/ledger-schema.ts";
import type { ApiDeps, Principal } from "../deps.ts";
import { accountHistory, accountSums, postingEntries, postOnce, trialBalance } from "../ledger/ledger.ts";
import {
  buyerAccount,
  CASH,
  payoutPosting,
  REVENUE,
  refundPosting,
  sellerAccount,
} from "../ledger/postings.ts";
import { reconcile } from "../ledger/reconcile.ts";
import { reconcileCalls } from "../ledger/reconcile-calls.ts";
import { reconcileCaptures } from "../ledger/reconcile-captures.ts";
import { repairDrift } from "../ledger/repair.ts";
import { statement, statementCsv } from "../ledger/statement.ts";
import { assertAccount, assertAdmin } from "../middleware/auth.ts";
import { READ, tagged, WRITE } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import {
  Payout,
  PostingsQuery,
  ReconcileQuery,
  Refund,
  RepairRequest,
  StatementQuery,
} from "../schemas/ledger.ts";
import * as R from "../schemas/responses.ts";
import { actorCall, body, query } from "../validate.ts";
import { viewAs } from "../views/policy.ts";

const DAY_MS = 86_400_000;
const sha = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 28);

/** The ledger account behind a partner account id; cash and revenue are the exchange's own (admin only). */
export function ledgerAccountOf(principal: Principal, accountId: string): string {
  if (accountId === CASH || accountId === REVENUE) {
    assertAdmin(principal);
    return accountId;
  }
  assertAccount(principal, accountId);
  return accountId.startsWith("byr_") ? buyerAccount(accountId) : sellerAccount(accountId);
}

export function ledgerRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("ledger");
  const buyer = (id: string) => actorProxy<IBuyerActor>(deps.dapr, "BuyerActor", id);

  const postingsDoc = doc({
    summary: "Postings on an account, newest first",
    access: "any",
    query: PostingsQuery,
    status: 200,
    response: R.Postings,
    errors: [...READ, "validation_failed"],
  });
  app.get("/ledger/postings", postingsDoc, async (c) => {
    const q = query(c, PostingsQuery);
    const account = ledgerAccountOf(c.get("principal"), q.accountId);
    const limit = Number(q.limit);
    const rows = await accountHistory(deps.db, account, limit + 1, q.cursor ? Number(q.cursor) : undefined);
    const page = rows.slice(0, limit);
    const sign = account === CASH ? 1 : -1;
    const sums = await accountSums(deps.db, [account]);
    return c.json(
      viewAs(c.get("principal"), {
        accountId: q.accountId,
        balanceMicros: sign * (sums.get(account) ?? 0),
        items: page.map(({ entryId: _e, amountMicros, ...p }) => ({
          ...p,
          amountMicros: sign * amountMicros,
        })),
        nextCursor: rows.length > limit ? String(page.at(-1)!.entryId) : null,
      }),
    );
  });

  const sellerBalanceDoc = doc({
    summary: "A seller's payable balance",
    access: "seller",
    status: 200,
    response: R.SellerBalance,
    errors: READ,
  });
  app.get("/sellers/:sellerId/balance", sellerBalanceDoc, async (c) => {
    const sellerId = c.req.param("sellerId");
    assertAccount(c.get("principal"), sellerId, "seller");
    const account = sellerAccount(sellerId);
    const rows = await deps.db
      .select({
        kind: ledgerPostings.kind,
        sum: sql<string>`coalesce(sum(${ledgerEntries.amountMicros}), 0)`,
      })
      .from(ledgerEntries)
      .innerJoin(ledgerPostings, eq(ledgerEntries.postingId, ledgerPostings.id))
      .where(eq(ledgerEntries.accountId, account))
      .groupBy(ledgerPostings.kind);
    const by = (kind: string) => Number(rows.find((r) => r.kind === kind)?.sum ?? 0);
    const earned = -by("charge");
    const refunded = by("refund");
    const paidOut = by("payout");
    return c.json(
      viewAs(c.get("principal"), {
        sellerId,
        payableMicros: earned - refunded - paidOut,
        earnedMicros: earned,
        refundedMicros: refunded,
        paidOutMicros: paidOut,
      }),
    );
  });

  const refundDoc = doc({
    summary: "Refund a charged call within the dispute window",
    access: "admin",
    body: Refund,
    status: 201,
    response: R.RefundResult,
    errors: [...WRITE, "not_charged", "dispute_window_closed"],
  });
  app.post("/calls/:callId/refund", refundDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const callId = c.req.param("callId");
    const input = await body(c, Refund);
    const [charge] = await deps.db
      .select()
      .from(ledgerPostings)
      .where(and(eq(ledgerPostings.kind, "charge"), eq(ledgerPostings.reference, callId)));
    if (!charge) throw new ApiError(409, "not_charged", `call ${callId} has no charge in the ledger`);
    if (deps.now() - Date.parse(charge.occurredAt) > deps.config.disputeWindowDays * DAY_MS) {
      throw new ApiError(
        409,
        "dispute_window_closed",
        `charged ${charge.occurredAt}; the window is ${deps.config.disputeWindowDays} days`,
      );
    }
    const entries = (await postingEntries(deps.db, "charge", callId))!;
    const buyerEntry = entries.find((e) => e.accountId.startsWith("buyer:"))!;
    // A zero-price call is charged zero: nothing to give back (the buyer actor refuses a zero credit).
    if (buyerEntry.amountMicros === 0)
      throw new ApiError(409, "not_charged", `call ${callId} was billed at zero; there is nothing to refund`);
    const draft = refundPosting(callId, entries, new Date(deps.now()).toISOString(), input.reason);
    await deps.db.transaction((tx) => postOnce(tx, draft));
    const buyerId = buyerEntry.accountId.slice("buyer:".length);
    const balance = await actorCall(
      buyer(buyerId).refund({ refundId: `rfd_${callId}`, callId, amountMicros: buyerEntry.amountMicros }),
    );
    return c.json(
      { callId, postingId: draft.id, refundedMicros: buyerEntry.amountMicros, buyerId, balance },
      201,
    );
  });

  const payoutDoc = doc({
    summary: "Run a payout to sellers' payables",
    access: "admin",
    body: Payout,
    status: 201,
    response: R.PayoutResult,
    idempotencyKey: "required",
    errors: [...WRITE, "idempotency_key_required", "idempotency_conflict"],
  });
  app.post("/payouts", payoutDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const key = c.req.header("idempotency-key");
    if (!key || key.length > 200) throw new ApiError(400, "idempotency_key_required");
    const input = await body(c, Payout);
    const payoutId = `pay_${sha(key)}`;
    // The same key with another body is a conflict, not a replay of the first run.
    const fingerprint = sha(
      canonicalJson({ sellerIds: input.sellerIds ? [...input.sellerIds].sort() : null }),
    );
    const prior = await deps.redis.set(
      `dce:idem:payouts:${payoutId}`,
      fingerprint,
      "EX",
      90 * 86_400,
      "NX",
      "GET",
    );
    if (prior !== null && prior !== fingerprint) {
      throw new ApiError(
        409,
        "idempotency_conflict",
        "this Idempotency-Key was used for a different payout run",
      );
    }
    const at = new Date(deps.now()).toISOString();
    const items = await deps.db.transaction(async (tx) => {
      // One payout run at a time, so two runs never pay the same payable twice.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('dce:payouts'))`);
      const existing = await tx
        .select({
          reference: ledgerPostings.reference,
          amount: ledgerEntries.amountMicros,
          accountId: ledgerEntries.accountId,
        })
        .from(ledgerPostings)
        .innerJoin(ledgerEntries, eq(ledgerEntries.postingId, ledgerPostings.id))
        .where(and(eq(ledgerPostings.kind, "payout"), like(ledgerPostings.reference, `${payoutId}:%`)));
      if (existing.length > 0) {
        return existing
          .filter((r) => r.accountId.startsWith("seller:"))
          .map((r) => ({ sellerId: r.accountId.slice("seller:".length), amountMicros: r.amount }));
      }
      const sellers =
        input.sellerIds?.map(sellerAccount) ??
        (
          await tx
            .select({ id: ledgerAccounts.id })
            .from(ledgerAccounts)
            .where(eq(ledgerAccounts.kind, "seller"))
        ).map((r) => r.id);
      const sums = await accountSums(tx, sellers);
      const paid: { sellerId: string; amountMicros: number }[] = [];
      for (const [account, sum] of sums) {
        const payable = -sum;
        if (payable <= 0) continue;
        const sellerId = account.slice("seller:".length);
        await postOnce(tx, payoutPosting(payoutId, sellerId, payable, at));
        paid.push({ sellerId, amountMicros: payable });
      }
      return paid;
    });
    const totalMicros = items.reduce((s, i) => s + i.amountMicros, 0);
    return c.json({ id: payoutId, items, totalMicros }, 201);
  });

  const statementDoc = doc({
    summary: "A monthly statement (JSON or CSV)",
    access: "any",
    query: StatementQuery,
    status: 200,
    response: R.Statement,
    csv: true,
    errors: [...READ, "validation_failed"],
  });
  app.get("/statements/:accountId", statementDoc, async (c) => {
    const q = query(c, StatementQuery);
    const accountId = c.req.param("accountId");
    const account = ledgerAccountOf(c.get("principal"), accountId);
    const s = viewAs(c.get("principal"), await statement(deps.db, accountId, account, q.month));
    if (q.format === "csv") {
      return c.body(statementCsv(s), 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="statement-${accountId}-${q.month}.csv"`,
      });
    }
    return c.json(s);
  });

  const reconciliationDoc = doc({
    summary: "Buyer actors against the ledger",
    access: "admin",
    query: ReconcileQuery,
    status: 200,
    response: R.Reconciliation,
    errors: [...READ, "validation_failed"],
  });
  app.get("/admin/reconciliation", reconciliationDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const { since, graceSec } = query(c, ReconcileQuery);
    const report = await reconcile(deps.db, (id) => buyer(id).balance(), { since });
    // Calls, captures, charges and the trial balance from one snapshot: a repeatable-read transaction
    // sees every events-writer commit (an event with its postings and projections) whole or not at all.
    const { calls, captures, tb } = await deps.db.transaction(
      async (tx) => ({
        calls: await reconcileCalls(tx, since),
        captures: await reconcileCaptures(tx, since, graceSec * 1_000),
        tb: await trialBalance(tx),
      }),
      { isolationLevel: "repeatable read", accessMode: "read only" },
    );
    return c.json({
      ...report,
      calls: {
        checkedCalls: calls.checkedCalls,
        checkedCaptures: captures.checkedCaptures,
        inFlight: captures.inFlight,
        graceSec,
        mismatches: [...calls.mismatches, ...captures.mismatches],
      },
      trialBalance: tb,
    });
  });

  const repairDoc = doc({
    summary: "Make buyer actors and the calls read model agree with the ledger after a Redis hard crash",
    access: "admin",
    body: RepairRequest,
    status: 200,
    response: R.RepairReport,
    errors: WRITE,
  });
  app.post("/admin/reconciliation/repair", repairDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const input = await body(c, RepairRequest);
    const call = (id: string) => actorProxy<ICallActor>(deps.dapr, "CallActor", id);
    const report = await repairDrift(
      {
        db: deps.db,
        logger: c.get("logger"),
        now: deps.now,
        buyer: (id) => buyer(id).get(),
        repairBuyer: (id, cmd) => buyer(id).repair(cmd),
        callState: async (id) => {
          const r = await call(id).get();
          if (r.ok) return { status: r.value.status, buyerId: r.value.decision.buyerId };
          return r.reason.code === "call_unknown" ? null : undefined;
        },
        publish: (events) =>
          publishEvents(deps.dapr, deps.config.pubsubName, deps.config.eventsTopic, events),
      },
      {
        since: input.since,
        graceMs: input.graceSec * 1_000,
        settleMs: input.settleSec * 1_000,
        dryRun: input.dryRun,
      },
    ).catch((err: Error) => {
      throw new ApiError(503, "upstream_unavailable", `repair failed: ${err.message.slice(0, 300)}`);
    });
    return c.json(report);
  });

  return app;
}
