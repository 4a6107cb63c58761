// Seller money routes: the seller balance (pending, payable, paid out, owed), the payout hold per
// seller, refunds (the seller side from wherever its payout is) and payout runs (available money only).
import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { Hono } from "hono";
import type { IBuyerActor } from "../../actors/buyer/buyer-api.ts";
import { canonicalJson } from "../../actors/kernel/canonical-json.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import { ledgerPostings } from "../db/ledger-schema.ts";
import { sellerPayoutTerms } from "../db/payout-schema.ts";
import { accounts } from "../db/schema.ts";
import type { ApiDeps } from "../deps.ts";
import { postingEntries } from "../ledger/ledger.ts";
import { postingId } from "../ledger/postings.ts";
import { assertAccount, assertAdmin } from "../middleware/auth.ts";
import { READ, tagged, WRITE } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import { Payout, PayoutHold, Refund } from "../schemas/ledger.ts";
import * as R from "../schemas/responses.ts";
import { actorCall, body } from "../validate.ts";
import { viewAs } from "../views/policy.ts";
import { holdSecOf, sellerBalance } from "./balance.ts";
import { lockSellerMoney } from "./holds.ts";
import { payOut } from "./payout.ts";
import { refundedMicros, refundPart } from "./refunds.ts";

const DAY_MS = 86_400_000;
const sha = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 28);

export function moneyRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("ledger");
  const buyer = (id: string) => actorProxy<IBuyerActor>(deps.dapr, "BuyerActor", id);

  const sellerBalanceDoc = doc({
    summary: "A seller's balance: pending (on hold), payable (available), paid out, owed back",
    access: "seller",
    status: 200,
    response: R.SellerBalance,
    errors: READ,
  });
  app.get("/sellers/:sellerId/balance", sellerBalanceDoc, async (c) => {
    const sellerId = c.req.param("sellerId");
    assertAccount(c.get("principal"), sellerId, "seller");
    return c.json(viewAs(c.get("principal"), await sellerBalance(deps.db, sellerId)));
  });

  const holdDoc = doc({
    summary: "Set a seller's payout hold (days its earnings stay pending)",
    access: "admin",
    body: PayoutHold,
    status: 200,
    response: R.PayoutHoldResult,
    errors: [...WRITE, "seller_unknown"],
  });
  app.put("/sellers/:sellerId/payout-hold", holdDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const sellerId = c.req.param("sellerId");
    const input = await body(c, PayoutHold);
    const [known] = await deps.db
      .select({ id: accounts.id })
      .from(accounts)
      .where(and(eq(accounts.id, sellerId), eq(accounts.kind, "seller")));
    if (!known) throw new ApiError(404, "seller_unknown", `no seller ${sellerId}`);
    const holdSec = Math.round(input.payoutHoldDays * 86_400);
    await deps.db
      .insert(sellerPayoutTerms)
      .values({ sellerId, holdSec })
      .onConflictDoUpdate({ target: sellerPayoutTerms.sellerId, set: { holdSec, updatedAt: sql`now()` } });
    return c.json({ sellerId, payoutHoldDays: (await holdSecOf(deps.db, sellerId)) / 86_400 });
  });

  const refundDoc = doc({
    summary: "Refund what is left of a charged call's charge within the dispute window",
    access: "admin",
    body: Refund,
    status: 201,
    response: R.RefundResult,
    errors: [...WRITE, "not_charged", "dispute_window_closed", "already_refunded"],
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
    const at = new Date(deps.now()).toISOString();
    const buyerId = buyerEntry.accountId.slice("buyer:".length);
    // What disputes (api/disputes) have not refunded yet, through the same proportional path; a
    // repeated full refund replays the first.
    const done = await deps.db.transaction(async (tx) => {
      await lockSellerMoney(tx);
      const prior = await postingEntries(tx, "refund", callId);
      if (prior) {
        const back = prior.find((e) => e.accountId === buyerEntry.accountId)?.amountMicros ?? 0;
        return { postingId: postingId("refund", callId), amount: -back };
      }
      const amount = buyerEntry.amountMicros - (await refundedMicros(tx, callId, buyerId));
      if (amount <= 0)
        throw new ApiError(409, "already_refunded", `call ${callId}'s charge is refunded in full already`);
      const r = await refundPart(tx, callId, callId, amount, at, input.reason);
      return { postingId: r.postingId, amount };
    });
    const balance = await actorCall(
      buyer(buyerId).refund({ refundId: `rfd_${callId}`, callId, amountMicros: done.amount }),
    );
    return c.json({ callId, postingId: done.postingId, refundedMicros: done.amount, buyerId, balance }, 201);
  });

  const payoutDoc = doc({
    summary: "Run a payout of sellers' available (released) payables",
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
    const now = deps.now();
    const items = await deps.db.transaction((tx) => payOut(tx, payoutId, now, input.sellerIds));
    const totalMicros = items.reduce((s, i) => s + i.amountMicros, 0);
    return c.json({ id: payoutId, items, totalMicros }, 201);
  });

  return app;
}
