// The seller campaign index against a real Redis (127.0.0.1:6380, started by the integration tier):
// entries carry the offer path's facts, an older entry never replaces a newer one, and campaigns
// without an entry (saved before the index) are found and written from the seller's document.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_VELOCITY } from "../compliance/screen-rules.ts";
import { indexSellerCampaigns, readSellerCampaign, sellerCampaignKey } from "./campaign-index.ts";
import type { SellerCampaign, SellerState } from "./seller-api.ts";

const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
afterAll(() => redis.disconnect());

function campaign(over: Partial<SellerCampaign> = {}): SellerCampaign {
  return {
    id: `scp_${randomUUID()}`,
    sellerId: "sel_1",
    name: "source",
    status: "active",
    vertical: "auto",
    reserveMicros: 5_000_000,
    auction: "second",
    payout: { type: "share", percent: 60 },
    maxAuctionMs: 250,
    routingTtlSec: 30,
    reroute: { max: 1, belowSec: 5 },
    allowAnonymous: false,
    exposeCallerId: true,
    caps: { hourly: 10 },
    trafficType: "outbound",
    minAttestation: "B",
    velocity: { per1h: 3 },
    createdAt: "",
    updatedAt: "",
    version: 1,
    ...over,
  };
}

function seller(...campaigns: SellerCampaign[]): SellerState {
  return {
    schema: 1,
    sellerId: `sel_${randomUUID()}`,
    name: "seller",
    status: "active",
    timezone: "UTC",
    campaigns: Object.fromEntries(campaigns.map((c) => [c.id, c])),
    counters: {},
    recentAdmits: {},
    createdAt: "",
    updatedAt: "",
  };
}

describe("seller campaign index", () => {
  it("holds every fact the offer path needs, owner and screen settings included", async () => {
    const c = campaign();
    const s = seller(c);
    await indexSellerCampaigns(redis, s);
    expect(await readSellerCampaign(redis, c.id)).toEqual({
      campaignId: c.id,
      sellerId: s.sellerId,
      sellerActive: true,
      status: "active",
      vertical: "auto",
      reserveMicros: 5_000_000,
      auction: "second",
      maxAuctionMs: 250,
      routingTtlSec: 30,
      reroute: { max: 1, belowSec: 5 },
      allowAnonymous: false,
      exposeCallerId: true,
      payout: { type: "share", percent: 60 },
      caps: { hourly: 10 },
      screen: {
        trafficType: "outbound",
        requireConsent: false,
        minAttestation: "B",
        velocity: { ...DEFAULT_VELOCITY, per1h: 3 },
      },
      version: 1,
    });
    expect(await readSellerCampaign(redis, `scp_${randomUUID()}`)).toBeUndefined();
  });

  it("never replaces a newer entry with an older one (two instances finishing out of order)", async () => {
    const v2 = campaign({ version: 2, status: "paused" });
    const v1 = { ...v2, version: 1, status: "active" as const };
    await indexSellerCampaigns(redis, seller(v2));
    await indexSellerCampaigns(redis, seller(v1));
    expect((await readSellerCampaign(redis, v2.id))?.status).toBe("paused");
    const v3 = { ...v2, version: 3, status: "active" as const };
    await indexSellerCampaigns(redis, seller(v3));
    expect(await readSellerCampaign(redis, v2.id)).toMatchObject({ status: "active", version: 3 });
  });

  it("writes only the campaigns named, or all of the seller's when none are", async () => {
    const old = campaign();
    const indexed = campaign();
    const s = seller(old, indexed);
    await indexSellerCampaigns(redis, s, [indexed.id]);
    expect(await redis.exists(sellerCampaignKey(old.id), sellerCampaignKey(indexed.id))).toBe(1);
    await indexSellerCampaigns(redis, s);
    expect(await readSellerCampaign(redis, old.id)).toMatchObject({ sellerId: s.sellerId });
  });
});
