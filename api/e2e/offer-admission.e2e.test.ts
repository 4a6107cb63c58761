// Seller admission in the call's turn through the stack: a capped seller campaign is admitted by its
// SellerActor, whose cap holds under concurrent offers; an uncapped one is admitted from the seller's
// campaign index, which follows a pause at once.
import { describe, expect, it } from "vitest";
import { call, createBuyer, createBuyerCampaign, createSeller, offerCall, uniq } from "./client.ts";

type Decision = { status: string; reason?: { code: string } };

async function market(campaign: Record<string, unknown>) {
  const vertical = `v_${uniq().slice(0, 8)}`;
  const buyerId = await createBuyer(1_000_000_000);
  await createBuyerCampaign(buyerId, { vertical, caps: { concurrency: 100 } });
  return createSeller({ vertical, reserveMicros: 1_000_000, ...campaign });
}

describe("seller admission", () => {
  it("a capped seller campaign admits exactly its cap of 12 concurrent offers", async () => {
    const seller = await market({ caps: { daily: 3 } });
    const results = await Promise.all(Array.from({ length: 12 }, () => offerCall<Decision>(seller)));
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(results.filter((r) => r.body.status === "routed")).toHaveLength(3);
    const rejected = results.filter((r) => r.body.status === "rejected");
    expect(rejected).toHaveLength(9);
    expect(rejected.every((r) => r.body.reason?.code === "seller_cap_reached")).toBe(true);
  });

  it("an uncapped campaign admits from the seller's index, and a pause refuses the next offer", async () => {
    const seller = await market({});
    expect((await offerCall<Decision>(seller)).body.status).toBe("routed");
    const paused = await call(
      "PATCH",
      `/v1/sellers/${seller.sellerId}/campaigns/${seller.sellerCampaignId}`,
      {
        body: { status: "paused" },
      },
    );
    expect(paused.status).toBe(200);
    const refused = await offerCall<Decision>(seller);
    expect(refused.body).toMatchObject({ status: "rejected", reason: { code: "seller_campaign_paused" } });
  });
});
