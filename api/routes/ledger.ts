// Money from the book of record: postings by account, monthly statements and the reconciliation of
// buyer actors against the ledger; seller balances, refunds and payout runs are in api/money.
import { Hono } from "hono";
import type { IBuyerActor } from "../../actors/buyer/buyer-api.ts";
import type { ICallActor } from "../../actors/call/call-api.ts";
import { actorProxy, publishEvents } from "../../actors/platform/dapr-client.ts";
import type { ApiDeps, Principal } from "../deps.ts";
import { accountHistory, accountSums, trialBalance } from "../ledger/ledger.ts";
import { buyerAccount, CASH, REVENUE, sellerAccount } from "../ledger/postings.ts";
import { reconcile } from "../ledger/reconcile.ts";
import { reconcileCalls } from "../ledger/reconcile-calls.ts";
import { reconcileCaptures } from "../ledger/reconcile-captures.ts";
import { repairDrift } from "../ledger/repair.ts";
import { statement, statementCsv } from "../ledger/statement.ts";
import { assertAccount, assertAdmin } from "../middleware/auth.ts";
import { moneyRoutes } from "../money/routes.ts";
import { sellerStatement } from "../money/statement.ts";
import { READ, tagged, WRITE } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import { PostingsQuery, ReconcileQuery, RepairRequest, StatementQuery } from "../schemas/ledger.ts";
import * as R from "../schemas/responses.ts";
import { body, query } from "../validate.ts";
import { viewAs } from "../views/policy.ts";

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
    // A seller's statement covers its money on hold, payable and owed, with each call's availability.
    const held = account.startsWith("seller:");
    const full = held
      ? await sellerStatement(deps.db, accountId, q.month)
      : await statement(deps.db, accountId, account, q.month);
    const s = viewAs(c.get("principal"), full);
    if (q.format === "csv") {
      return c.body(statementCsv(s, held), 200, {
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

  app.route("/", moneyRoutes(deps));
  return app;
}
