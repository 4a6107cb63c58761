// Buyer funds: deposits (admin-recorded, idempotent, ledger first) and the spendable balance; the
// rest of the money routes (postings, refunds, payouts, statements) come from ledger.ts.
import { createHash } from "node:crypto";
import { Hono } from "hono";
import type { IBuyerActor } from "../../actors/buyer/buyer-api.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import type { ApiDeps } from "../deps.ts";
import { postingEntries, postOnce } from "../ledger/ledger.ts";
import { depositPosting } from "../ledger/postings.ts";
import { assertAccount, assertAdmin } from "../middleware/auth.ts";
import { READ, tagged, WRITE } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import { Deposit } from "../schemas/accounts.ts";
import * as R from "../schemas/responses.ts";
import { actorCall, body } from "../validate.ts";
import { viewAs } from "../views/policy.ts";
import { ledgerRoutes } from "./ledger.ts";

export function fundsRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("ledger");
  const buyer = (id: string) => actorProxy<IBuyerActor>(deps.dapr, "BuyerActor", id);

  const depositDoc = doc({
    summary: "Record a deposit for a buyer",
    access: "admin",
    body: Deposit,
    status: 201,
    response: R.DepositResult,
    idempotencyKey: "required",
    errors: [...WRITE, "idempotency_key_required", "idempotency_conflict", "buyer_unknown", "invalid_amount"],
  });
  app.post("/buyers/:buyerId/deposits", depositDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const buyerId = c.req.param("buyerId");
    const key = c.req.header("idempotency-key");
    if (!key || key.length > 200) throw new ApiError(400, "idempotency_key_required");
    const input = await body(c, Deposit);
    const depositId = `dep_${createHash("sha256").update(`${buyerId}\u0000${key}`).digest("hex").slice(0, 28)}`;
    // The ledger is the book of record: post first (once per deposit id), then credit the actor,
    // which also applies each deposit id once, so a retry after a failure in between completes it.
    await actorCall(buyer(buyerId).get());
    const at = new Date(deps.now()).toISOString();
    const posted = await deps.db.transaction((tx) =>
      postOnce(tx, depositPosting(depositId, buyerId, input.amountMicros, at)),
    );
    if (!posted) {
      // The key was used before: only the same amount may go on to the actor (which may not have it
      // yet, if the first attempt failed between the ledger and the actor).
      const prior = await postingEntries(deps.db, "deposit", depositId);
      if (prior?.find((e) => e.accountId === "cash")?.amountMicros !== input.amountMicros) {
        throw new ApiError(
          409,
          "idempotency_conflict",
          "this Idempotency-Key was used for a different deposit",
        );
      }
    }
    const balance = await actorCall(buyer(buyerId).deposit({ depositId, amountMicros: input.amountMicros }));
    const deposited = { id: depositId, buyerId, amountMicros: input.amountMicros, balance };
    return c.json(viewAs(c.get("principal"), deposited), 201);
  });

  const buyerBalanceDoc = doc({
    summary: "A buyer's spendable balance",
    access: "buyer",
    status: 200,
    response: R.BuyerBalance,
    errors: [...READ, "buyer_unknown"],
  });
  app.get("/buyers/:buyerId/balance", buyerBalanceDoc, async (c) => {
    const buyerId = c.req.param("buyerId");
    assertAccount(c.get("principal"), buyerId, "buyer");
    return c.json(viewAs(c.get("principal"), await actorCall(buyer(buyerId).balance())));
  });

  app.route("/", ledgerRoutes(deps));
  return app;
}
