// Seller campaigns through the real stack: the SellerActor keeps its campaign index in Redis itself,
// and a campaign saved before the index existed (only the old owner key) still takes offers.
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { call, createBuyer, createBuyerCampaign, createSeller, offerCall, uniq } from "./client.ts";

const redis = new Redis("redis://127.0.0.1:6380");
afterAll(() => redis.disconnect());

const indexKey = (id: string) => `dce:seller-campaign:${id}`;
const entry = async (id: string) => JSON.parse((await redis.get(indexKey(id))) ?? "null");

describe("seller campaign index", () => {
  it("is written by the seller on every save, with the owner and screen settings in one key", async () => {
    const seller = await createSeller({ trafficType: "outbound", minAttestation: "B", maxAuctionMs: 400 });
    expect(await entry(seller.sellerCampaignId)).toMatchObject({
      campaignId: seller.sellerCampaignId,
      sellerId: seller.sellerId,
      status: "active",
      maxAuctionMs: 400,
      screen: { trafficType: "outbound", minAttestation: "B", requireConsent: false },
      version: 1,
    });
    const patched = await call(
      "PATCH",
      `/v1/sellers/${seller.sellerId}/campaigns/${seller.sellerCampaignId}`,
      {
        body: { status: "paused" },
      },
    );
    expect(patched.status).toBe(200);
    expect(await entry(seller.sellerCampaignId)).toMatchObject({ status: "paused", version: 2 });
    // The API writes no seller keys of its own any more.
    expect(await redis.exists(`dce:seller-campaign-owner:${seller.sellerCampaignId}`)).toBe(0);
    expect(await redis.exists(`dce:seller-campaign-screen:${seller.sellerCampaignId}`)).toBe(0);
  });

  it("backfills the index from the seller's document for a campaign saved before it existed", async () => {
    const vertical = `v_${uniq().slice(0, 8)}`;
    const buyerId = await createBuyer();
    await createBuyerCampaign(buyerId, { vertical, bidMicros: 30_000_000 });
    const seller = await createSeller({ vertical, reserveMicros: 10_000_000 });
    // What an older version left behind: the owner key the API wrote, and no index entry.
    await redis.del(indexKey(seller.sellerCampaignId));
    await redis.set(`dce:seller-campaign-owner:${seller.sellerCampaignId}`, seller.sellerId);

    const offer = await offerCall(seller);
    expect(offer.status).toBe(201);
    expect(offer.body).toMatchObject({ status: "routed", buyerId });
    expect(await entry(seller.sellerCampaignId)).toMatchObject({ sellerId: seller.sellerId, vertical });
  });

  it("answers 404 for a campaign neither indexed nor known under the old key", async () => {
    const seller = await createSeller();
    const offer = await offerCall({ ...seller, sellerCampaignId: `scp_${"0".repeat(28)}` });
    expect(offer.status).toBe(404);
    expect(offer.body).toMatchObject({ code: "seller_campaign_unknown" });
  });
});
