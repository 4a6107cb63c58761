// Buyer campaigns (targets) and seller campaigns (traffic sources), stored in their owners' actors.
import { Hono } from "hono";
import type { BuyerCampaign, CampaignSaved, IBuyerActor } from "../../actors/buyer/buyer-api.ts";
import { newId } from "../../actors/kernel/ids.ts";
import type { Result } from "../../actors/kernel/result.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import {
  legacyOwnerKey,
  readSellerCampaign,
  type SellerCampaignEntry,
} from "../../actors/seller/campaign-index.ts";
import type { ISellerActor, SellerCampaign } from "../../actors/seller/seller-api.ts";
import type { ApiDeps } from "../deps.ts";
import { assertDestination } from "../destination.ts";
import { assertAccount } from "../middleware/auth.ts";
import { READ, tagged, WRITE } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import {
  CreateBuyerCampaign,
  CreateSellerCampaign,
  PatchBuyerCampaign,
  PatchSellerCampaign,
} from "../schemas/campaigns.ts";
import * as R from "../schemas/responses.ts";
import { actorCall, body, problemsError } from "../validate.ts";

/**
 * A seller campaign's facts from the seller's index. A campaign saved before the index existed is found
 * under its old owner key; its seller then writes its index from its document (once), and it is read again.
 */
export async function findSellerCampaign(
  deps: ApiDeps,
  campaignId: string,
): Promise<SellerCampaignEntry | undefined> {
  const entry = await readSellerCampaign(deps.redis, campaignId);
  if (entry) return entry;
  const owner = await deps.redis.get(legacyOwnerKey(campaignId));
  if (!owner) return undefined;
  await actorCall(actorProxy<ISellerActor>(deps.dapr, "SellerActor", owner).reindex());
  return readSellerCampaign(deps.redis, campaignId);
}

export function campaignRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("campaigns");
  const buyer = (id: string) => actorProxy<IBuyerActor>(deps.dapr, "BuyerActor", id);
  const seller = (id: string) => actorProxy<ISellerActor>(deps.dapr, "SellerActor", id);
  const stamp = () => new Date(deps.now()).toISOString();
  /** A campaign's dispute window may shorten the exchange's (DCE_DISPUTE_WINDOW_DAYS), never pass it. */
  const assertDisputeWindow = (days: number | undefined) => {
    const max = deps.config.disputeWindowDays;
    if (days !== undefined && days > max)
      throw problemsError([
        { field: "disputeWindowDays", message: `must be at most ${max} (DCE_DISPUTE_WINDOW_DAYS)` },
      ]);
  };

  /** The buyer's answer to a campaign command: its cross-field problems are a 400 like the schema's. */
  async function savedBuyerCampaign(command: Promise<Result<CampaignSaved>>) {
    const saved = await actorCall(command);
    if ("problems" in saved) throw problemsError(saved.problems);
    return saved.campaign;
  }

  const createBuyerCampaignDoc = doc({
    summary: "Create a buyer campaign",
    access: "buyer",
    body: CreateBuyerCampaign,
    status: 201,
    response: R.Campaign,
    errors: [...WRITE, "buyer_unknown", "destination_not_allowed"],
  });
  app.post("/buyers/:buyerId/campaigns", createBuyerCampaignDoc, async (c) => {
    const buyerId = c.req.param("buyerId");
    assertAccount(c.get("principal"), buyerId, "buyer");
    const input = await body(c, CreateBuyerCampaign);
    const at = stamp();
    const campaign: BuyerCampaign = {
      ...input,
      id: newId("bcp"),
      buyerId,
      createdAt: at,
      updatedAt: at,
      version: 0,
    };
    await assertDestination(deps, "rtb.url", campaign.rtb?.url);
    return c.json(await savedBuyerCampaign(buyer(buyerId).upsertCampaign({ campaign })), 201);
  });

  const listBuyerCampaignsDoc = doc({
    summary: "List a buyer's campaigns",
    access: "buyer",
    status: 200,
    response: R.CampaignList,
    errors: [...READ, "buyer_unknown"],
  });
  app.get("/buyers/:buyerId/campaigns", listBuyerCampaignsDoc, async (c) => {
    const buyerId = c.req.param("buyerId");
    assertAccount(c.get("principal"), buyerId, "buyer");
    const state = await actorCall(buyer(buyerId).get());
    return c.json({ items: Object.values(state.campaigns) });
  });

  const getBuyerCampaignDoc = doc({
    summary: "Get a buyer campaign",
    access: "buyer",
    status: 200,
    response: R.Campaign,
    errors: [...READ, "buyer_unknown", "campaign_unknown"],
  });
  app.get("/buyers/:buyerId/campaigns/:campaignId", getBuyerCampaignDoc, async (c) => {
    const { buyerId, campaignId } = c.req.param();
    assertAccount(c.get("principal"), buyerId, "buyer");
    const state = await actorCall(buyer(buyerId).get());
    const campaign = state.campaigns[campaignId];
    if (!campaign)
      throw new ApiError(404, "campaign_unknown", `no campaign ${campaignId} on buyer ${buyerId}`);
    return c.json(campaign);
  });

  const patchBuyerCampaignDoc = doc({
    summary: "Change a buyer campaign",
    access: "buyer",
    body: PatchBuyerCampaign,
    status: 200,
    response: R.Campaign,
    errors: [...WRITE, "buyer_unknown", "campaign_unknown", "destination_not_allowed"],
  });
  app.patch("/buyers/:buyerId/campaigns/:campaignId", patchBuyerCampaignDoc, async (c) => {
    const { buyerId, campaignId } = c.req.param();
    assertAccount(c.get("principal"), buyerId, "buyer");
    const patch = await body(c, PatchBuyerCampaign);
    await assertDestination(deps, "rtb.url", patch.rtb?.url);
    // The merge happens in the buyer's turn, so concurrent patches of different fields all stay.
    return c.json(await savedBuyerCampaign(buyer(buyerId).patchCampaign({ campaignId, patch })));
  });

  const createSellerCampaignDoc = doc({
    summary: "Create a seller campaign",
    access: "seller",
    body: CreateSellerCampaign,
    status: 201,
    response: R.Campaign,
    errors: [...WRITE, "seller_unknown"],
  });
  app.post("/sellers/:sellerId/campaigns", createSellerCampaignDoc, async (c) => {
    const sellerId = c.req.param("sellerId");
    assertAccount(c.get("principal"), sellerId, "seller");
    const input = await body(c, CreateSellerCampaign);
    assertDisputeWindow(input.disputeWindowDays);
    const at = stamp();
    const campaign: SellerCampaign = {
      ...input,
      id: newId("scp"),
      sellerId,
      createdAt: at,
      updatedAt: at,
      version: 0,
    };
    // The seller writes its campaign index itself, in the same command.
    return c.json(await actorCall(seller(sellerId).upsertCampaign({ campaign })), 201);
  });

  const listSellerCampaignsDoc = doc({
    summary: "List a seller's campaigns",
    access: "seller",
    status: 200,
    response: R.CampaignList,
    errors: [...READ, "seller_unknown"],
  });
  app.get("/sellers/:sellerId/campaigns", listSellerCampaignsDoc, async (c) => {
    const sellerId = c.req.param("sellerId");
    assertAccount(c.get("principal"), sellerId, "seller");
    const state = await actorCall(seller(sellerId).get());
    return c.json({ items: Object.values(state.campaigns) });
  });

  const getSellerCampaignDoc = doc({
    summary: "Get a seller campaign",
    access: "seller",
    status: 200,
    response: R.Campaign,
    errors: [...READ, "seller_unknown", "seller_campaign_unknown"],
  });
  app.get("/sellers/:sellerId/campaigns/:campaignId", getSellerCampaignDoc, async (c) => {
    const { sellerId, campaignId } = c.req.param();
    assertAccount(c.get("principal"), sellerId, "seller");
    const state = await actorCall(seller(sellerId).get());
    const campaign = state.campaigns[campaignId];
    if (!campaign)
      throw new ApiError(404, "seller_campaign_unknown", `no campaign ${campaignId} on seller ${sellerId}`);
    return c.json(campaign);
  });

  const patchSellerCampaignDoc = doc({
    summary: "Change a seller campaign",
    access: "seller",
    body: PatchSellerCampaign,
    status: 200,
    response: R.Campaign,
    errors: [...WRITE, "seller_unknown", "seller_campaign_unknown"],
  });
  app.patch("/sellers/:sellerId/campaigns/:campaignId", patchSellerCampaignDoc, async (c) => {
    const { sellerId, campaignId } = c.req.param();
    assertAccount(c.get("principal"), sellerId, "seller");
    const patch = await body(c, PatchSellerCampaign);
    assertDisputeWindow(patch.disputeWindowDays);
    // The merge happens in the seller's turn, so concurrent patches of different fields all stay.
    return c.json(await actorCall(seller(sellerId).patchCampaign({ campaignId, patch })));
  });

  return app;
}
