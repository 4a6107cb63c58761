// Accounts (buyers and sellers); their API keys are in api-keys.ts.
import { Hono } from "hono";
import type { BuyerState, IBuyerActor } from "../../actors/buyer/buyer-api.ts";
import { newId } from "../../actors/kernel/ids.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import type { ISellerActor, SellerState } from "../../actors/seller/seller-api.ts";
import { accounts } from "../db/schema.ts";
import type { ApiDeps } from "../deps.ts";
import { assertAccount, assertAdmin } from "../middleware/auth.ts";
import { READ, tagged, WRITE } from "../openapi/facts.ts";
import { CreateBuyer, CreateSeller } from "../schemas/accounts.ts";
import * as R from "../schemas/responses.ts";
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
  const doc = tagged("accounts");
  const buyer = (id: string) => actorProxy<IBuyerActor>(deps.dapr, "BuyerActor", id);
  const seller = (id: string) => actorProxy<ISellerActor>(deps.dapr, "SellerActor", id);

  const createBuyerDoc = doc({
    summary: "Create a buyer",
    access: "admin",
    body: CreateBuyer,
    status: 201,
    response: R.Account,
    errors: WRITE,
  });
  app.post("/buyers", createBuyerDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const input = await body(c, CreateBuyer);
    const id = newId("byr");
    await deps.db.insert(accounts).values({ id, kind: "buyer", name: input.name });
    const state = await actorCall(buyer(id).create({ buyerId: id, ...input }));
    return c.json(buyerView(state), 201);
  });

  const getBuyerDoc = doc({
    summary: "Get a buyer",
    access: "buyer",
    status: 200,
    response: R.Account,
    errors: [...READ, "buyer_unknown"],
  });
  app.get("/buyers/:buyerId", getBuyerDoc, async (c) => {
    const id = c.req.param("buyerId");
    assertAccount(c.get("principal"), id, "buyer");
    return c.json(buyerView(await actorCall(buyer(id).get())));
  });

  const createSellerDoc = doc({
    summary: "Create a seller",
    access: "admin",
    body: CreateSeller,
    status: 201,
    response: R.Account,
    errors: WRITE,
  });
  app.post("/sellers", createSellerDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const input = await body(c, CreateSeller);
    const id = newId("sel");
    await deps.db.insert(accounts).values({ id, kind: "seller", name: input.name });
    const state = await actorCall(seller(id).create({ sellerId: id, ...input }));
    return c.json(sellerView(state), 201);
  });

  const getSellerDoc = doc({
    summary: "Get a seller",
    access: "seller",
    status: 200,
    response: R.Account,
    errors: [...READ, "seller_unknown"],
  });
  app.get("/sellers/:sellerId", getSellerDoc, async (c) => {
    const id = c.req.param("sellerId");
    assertAccount(c.get("principal"), id, "seller");
    return c.json(sellerView(await actorCall(seller(id).get())));
  });

  return app;
}
