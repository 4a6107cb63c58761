// Accounts (buyers and sellers); their API keys are in api-keys.ts.
import { Hono } from "hono";
import type { BuyerState, IBuyerActor } from "../../actors/buyer/buyer-api.ts";
import { newId } from "../../actors/kernel/ids.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import type { ISellerActor, SellerState } from "../../actors/seller/seller-api.ts";
import { accounts } from "../db/schema.ts";
import type { ApiDeps } from "../deps.ts";
import { assertAccount, assertAdmin } from "../middleware/auth.ts";
import { CreateBuyer, CreateSeller } from "../schemas/accounts.ts";
import { actorCall, body } from "../validate.ts";

export function buyerView(s: BuyerState) {
  return {
    id: s.buyerId,
    name: s.name,
    status: s.status,
    timezone: s.timezone,
    creditLimitMicros: s.creditLimitMicros,
    campaignIds: Object.keys(s.campaigns),
    createdAt: s.createdAt,
  };
}

export function sellerView(s: SellerState) {
  return {
    id: s.sellerId,
    name: s.name,
    status: s.status,
    timezone: s.timezone,
    campaignIds: Object.keys(s.campaigns),
    createdAt: s.createdAt,
  };
}

export function accountRoutes(deps: ApiDeps) {
  const app = new Hono();
  const buyer = (id: string) => actorProxy<IBuyerActor>(deps.dapr, "BuyerActor", id);
  const seller = (id: string) => actorProxy<ISellerActor>(deps.dapr, "SellerActor", id);

  app.post("/buyers", async (c) => {
    assertAdmin(c.get("principal"));
    const input = await body(c, CreateBuyer);
    const id = newId("byr");
    await deps.db.insert(accounts).values({ id, kind: "buyer", name: input.name });
    const state = await actorCall(buyer(id).create({ buyerId: id, ...input }));
    return c.json(buyerView(state), 201);
  });

  app.get("/buyers/:buyerId", async (c) => {
    const id = c.req.param("buyerId");
    assertAccount(c.get("principal"), id, "buyer");
    return c.json(buyerView(await actorCall(buyer(id).get())));
  });

  app.post("/sellers", async (c) => {
    assertAdmin(c.get("principal"));
    const input = await body(c, CreateSeller);
    const id = newId("sel");
    await deps.db.insert(accounts).values({ id, kind: "seller", name: input.name });
    const state = await actorCall(seller(id).create({ sellerId: id, ...input }));
    return c.json(sellerView(state), 201);
  });

  app.get("/sellers/:sellerId", async (c) => {
    const id = c.req.param("sellerId");
    assertAccount(c.get("principal"), id, "seller");
    return c.json(sellerView(await actorCall(seller(id).get())));
  });

  return app;
}
