// Campaigns through the real stack: the SellerActor keeps its campaign index in Redis itself (a campaign
// saved before the index still takes offers), PATCH merges in the owner's turn, and validation answers once.
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
    // An entry a save failed to write after its commit is written again by the seller's next save.
    await redis.del(indexKey(seller.sellerCampaignId));
    const second = await call<{ id: string }>("POST", `/v1/sellers/${seller.sellerId}/campaigns`, {
      body: { name: "second", vertical: "auto", payout: { type: "fixed", amountMicros: 1 } },
    });
    expect(second.status).toBe(201);
    expect(await entry(second.body.id)).toMatchObject({ sellerId: seller.sellerId, version: 1 });
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

/** Ten PATCHes at once, each changing a different field; every one of them must stay. */
async function patchConcurrently(path: string, patches: Record<string, unknown>[]) {
  const replies = await Promise.all(patches.map((body) => call("PATCH", path, { body })));
  expect(replies.map((r) => r.status)).toEqual(patches.map(() => 200));
  const after = await call<Record<string, unknown>>("GET", path);
  for (const p of patches) expect(after.body).toMatchObject(p);
  expect(after.body.version).toBe(1 + patches.length);
}

describe("campaign PATCH runs in the owner's turn", () => {
  it("keeps every one of concurrent PATCHes of different fields of a buyer campaign", async () => {
    const buyerId = await createBuyer(0);
    const id = await createBuyerCampaign(buyerId);
    await patchConcurrently(`/v1/buyers/${buyerId}/campaigns/${id}`, [
      { name: "renamed" },
      { status: "paused" },
      { bidMicros: 21_000_000 },
      { minDurationSec: 90 },
      { priority: 3 },
      { weight: 7 },
      { duplicateWindowDays: 30 },
      { states: ["FL", "GA"] },
      { tags: ["spanish"] },
      { caps: { hourly: 9 } },
    ]);
  });

  it("keeps every one of concurrent PATCHes of different fields of a seller campaign", async () => {
    const seller = await createSeller();
    await patchConcurrently(`/v1/sellers/${seller.sellerId}/campaigns/${seller.sellerCampaignId}`, [
      { name: "renamed" },
      { status: "paused" },
      { reserveMicros: 7_000_000 },
      { auction: "second" },
      { maxAuctionMs: 450 },
      { routingTtlSec: 90 },
      { allowAnonymous: true },
      { exposeCallerId: true },
      { requireConsent: true },
      { caps: { daily: 40 } },
    ]);
  });
});

describe("campaign validation: one answer, a 400 problem, never a 500", () => {
  const expectProblem = (
    reply: { status: number; body: Record<string, unknown>; headers: Headers },
    path: string,
  ) => {
    expect(reply.status).toBe(400);
    expect(reply.headers.get("content-type")).toContain("application/problem+json");
    expect(reply.body.code).toBe("validation_failed");
    expect((reply.body.errors as { path: string }[]).map((e) => e.path)).toContain(path);
  };

  // Values the API's schema and the buyer actor's own copy of the checks used to judge differently.
  it.each<[string, Record<string, unknown>, string]>([
    [
      "destination number with a 1 area code",
      { destination: { number: "+11234567890" } },
      "destination.number",
    ],
    ["area code starting with 1", { areaCodes: ["123"] }, "areaCodes.0"],
    [
      "rtb.timeoutMs over 2000",
      { rtb: { url: "https://rtb.example.com/", timeoutMs: 5_000 } },
      "rtb.timeoutMs",
    ],
    [
      "24:00 as an opening time",
      { schedule: { timezone: "UTC", hours: [{ days: ["mon"], open: "24:00", close: "24:00" }] } },
      "schedule.hours.0.open",
    ],
    ["zero daily spend cap", { caps: { dailySpendMicros: 0 } }, "caps.dailySpendMicros"],
  ])("refuses a buyer campaign with a %s, created or patched", async (_name, over, path) => {
    const buyerId = await createBuyer(0);
    const created = await call("POST", `/v1/buyers/${buyerId}/campaigns`, {
      body: {
        name: "t",
        vertical: "auto",
        bidMicros: 1,
        minDurationSec: 0,
        destination: { number: "+13059870000" },
        ...over,
      },
    });
    expectProblem(created, path);
    const id = await createBuyerCampaign(buyerId);
    expectProblem(await call("PATCH", `/v1/buyers/${buyerId}/campaigns/${id}`, { body: over }), path);
  });

  it("refuses a seller payout share with more than two decimals, created or patched", async () => {
    const seller = await createSeller();
    const payout = { type: "share", percent: 12.345 };
    const created = await call("POST", `/v1/sellers/${seller.sellerId}/campaigns`, {
      body: { name: "t", vertical: "auto", payout },
    });
    expectProblem(created, "payout.percent");
    const path = `/v1/sellers/${seller.sellerId}/campaigns/${seller.sellerCampaignId}`;
    expectProblem(await call("PATCH", path, { body: { payout } }), "payout.percent");
  });

  it("judges a PATCH's cross-field rules on the merged campaign, in the buyer's turn", async () => {
    const buyerId = await createBuyer(0);
    const id = await createBuyerCampaign(buyerId);
    const path = `/v1/buyers/${buyerId}/campaigns/${id}`;
    expectProblem(await call("PATCH", path, { body: { destination: {} } }), "destination");
    const closed = { timezone: "UTC", hours: [{ days: ["mon"], open: "09:00", close: "09:00" }] };
    expectProblem(await call("PATCH", path, { body: { schedule: closed } }), "schedule.hours[0].close");
    const after = await call("GET", path);
    expect(after.body).toMatchObject({ version: 1, destination: { number: "+13059870000" } });
  });

  it("answers 404 for a PATCH of a campaign the account does not have", async () => {
    const buyerId = await createBuyer(0);
    const seller = await createSeller();
    const b = await call("PATCH", `/v1/buyers/${buyerId}/campaigns/bcp_missing`, { body: { bidMicros: 1 } });
    expect(b).toMatchObject({ status: 404, body: { code: "campaign_unknown" } });
    const s = await call("PATCH", `/v1/sellers/${seller.sellerId}/campaigns/scp_missing`, {
      body: { reserveMicros: 1 },
    });
    expect(s).toMatchObject({ status: 404, body: { code: "seller_campaign_unknown" } });
  });
});
