// Buyer campaigns (targets) and seller campaigns (traffic sources), stored in their owners' actors.
import { Hono } from "hono";
import type { BuyerCampaign, IBuyerActor } from "../../actors/buyer/buyer-api.ts";
import { campaignProblems as buyerCampaignProblems } from "../../actors/buyer/rules.ts";
import { newId } from "../../actors/kernel/ids.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import {
  legacyOwnerKey,
  readSellerCampaign,
  type SellerCampaignEntry,
} from "../../actors/seller/campaign-index.ts";
import { campaignProblems as sellerCampaignProblems } from "../../actors/seller/rules.ts";
import type { ISellerActor, SellerCampaign } from "../../actors/seller/seller-api.ts";
import type { ApiDeps } from "../deps.ts";
import { assertDestination } from "../destination.ts";
import { assertAccount } from "../middleware/auth.ts";
import { ApiError } from "../problem.ts";
import {
  CreateBuyerCampaign,
  CreateSellerCampaign,
  PatchBuyerCampaign,
  PatchSellerCampaign,
} from "../schemas/campaigns.ts";
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
  const buyer = (id: string) => actorProxy<IBuyerActor>(deps.dapr, "BuyerActor", id);
  const seller = (id: string) => actorProxy<ISellerActor>(deps.dapr, "SellerActor", id);
  const stamp = () => new Date(deps.now()).toISOString();

  async function saveBuyerCampaign(campaign: BuyerCampaign) {
    const problems = buyerCampaignProblems(campaign);
    if (problems.length > 0) throw problemsError(problems);
    await assertDestination(deps, "rtb.url", campaign.rtb?.url);
    return actorCall(buyer(campaign.buyerId).upsertCampaign({ campaign }));
  }

  app.post("/buyers/:buyerId/campaigns", async (c) => {
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
    return c.json(await saveBuyerCampaign(campaign), 201);
  });

  app.get("/buyers/:buyerId/campaigns", async (c) => {
    const buyerId = c.req.param("buyerId");
    assertAccount(c.get("principal"), buyerId, "buyer");
    const state = await actorCall(buyer(buyerId).get());
    return c.json({ items: Object.values(state.campaigns) });
  });

  app.get("/buyers/:buyerId/campaigns/:campaignId", async (c) => {
    const { buyerId, campaignId } = c.req.param();
    assertAccount(c.get("principal"), buyerId, "buyer");
    const state = await actorCall(buyer(buyerId).get());
    const campaign = state.campaigns[campaignId];
    if (!campaign)
      throw new ApiError(404, "campaign_unknown", `no campaign ${campaignId} on buyer ${buyerId}`);
    return c.json(campaign);
  });

  app.patch("/buyers/:buyerId/campaigns/:campaignId", async (c) => {
    const { buyerId, campaignId } = c.req.param();
    assertAccount(c.get("principal"), buyerId, "buyer");
    const patch = await body(c, PatchBuyerCampaign);
    const state = await actorCall(buyer(buyerId).get());
    const current = state.campaigns[campaignId];
    if (!current)
      throw new ApiError(404, "campaign_unknown", `no campaign ${campaignId} on buyer ${buyerId}`);
    return c.json(
      await saveBuyerCampaign({ ...current, ...patch, id: campaignId, buyerId, updatedAt: stamp() }),
    );
  });

  async function saveSellerCampaign(campaign: SellerCampaign) {
    const problems = sellerCampaignProblems(campaign);
    if (problems.length > 0) throw problemsError(problems);
    // The seller writes its campaign index itself, in the same command.
    return actorCall(seller(campaign.sellerId).upsertCampaign({ campaign }));
  }

  app.post("/sellers/:sellerId/campaigns", async (c) => {
    const sellerId = c.req.param("sellerId");
    assertAccount(c.get("principal"), sellerId, "seller");
    const input = await body(c, CreateSellerCampaign);
    const at = stamp();
    const campaign: SellerCampaign = {
      ...input,
      id: newId("scp"),
      sellerId,
      createdAt: at,
      updatedAt: at,
      version: 0,
    };
    return c.json(await saveSellerCampaign(campaign), 201);
  });

  app.get("/sellers/:sellerId/campaigns", async (c) => {
    const sellerId = c.req.param("sellerId");
    assertAccount(c.get("principal"), sellerId, "seller");
    const state = await actorCall(seller(sellerId).get());
    return c.json({ items: Object.values(state.campaigns) });
  });

  app.get("/sellers/:sellerId/campaigns/:campaignId", async (c) => {
    const { sellerId, campaignId } = c.req.param();
    assertAccount(c.get("principal"), sellerId, "seller");
    const state = await actorCall(seller(sellerId).get());
    const campaign = state.campaigns[campaignId];
    if (!campaign)
      throw new ApiError(404, "seller_campaign_unknown", `no campaign ${campaignId} on seller ${sellerId}`);
    return c.json(campaign);
  });

  app.patch("/sellers/:sellerId/campaigns/:campaignId", async (c) => {
    const { sellerId, campaignId } = c.req.param();
    assertAccount(c.get("principal"), sellerId, "seller");
    const patch = await body(c, PatchSellerCampaign);
    const state = await actorCall(seller(sellerId).get());
    const current = state.campaigns[campaignId];
    if (!current)
      throw new ApiError(404, "seller_campaign_unknown", `no campaign ${campaignId} on seller ${sellerId}`);
    return c.json(
      await saveSellerCampaign({ ...current, ...patch, id: campaignId, sellerId, updatedAt: stamp() }),
    );
  });

  return app;
}
