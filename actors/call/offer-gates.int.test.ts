// Seller admission in the call's gates against a real Redis and the SellerActor's own rule: an uncapped
// campaign is admitted from the seller's campaign index without asking the seller; a capped one (or
// one not indexed yet) is admitted by the seller's rule, which counts it against the cap.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { systemCtx } from "../kernel/ctx.ts";
import type { PiiKeyring } from "../platform/pii-keys.ts";
import type { Sql } from "../platform/postgres.ts";
import { indexSellerCampaigns } from "../seller/campaign-index.ts";
import { admit, newSellerState, upsertCampaign } from "../seller/rules.ts";
import type { SellerCampaign, SellerState } from "../seller/seller-api.ts";
import type { OfferCommand } from "./call-api.ts";
import { admitOffer } from "./offer-gates.ts";

const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
afterAll(() => redis.disconnect());

function market(over: Partial<SellerCampaign> = {}) {
  let state: SellerState = newSellerState(
    { sellerId: `sel_${randomUUID()}`, name: "s", timezone: "UTC" },
    systemCtx,
  );
  const campaign: SellerCampaign = {
    id: `scp_${randomUUID()}`,
    sellerId: state.sellerId,
    name: "source",
    status: "active",
    vertical: "auto",
    reserveMicros: 5_000_000,
    auction: "first",
    payout: { type: "share", percent: 60 },
    maxAuctionMs: 250,
    routingTtlSec: 30,
    reroute: { max: 1, belowSec: 5 },
    allowAnonymous: false,
    exposeCallerId: false,
    caps: {},
    createdAt: "",
    updatedAt: "",
    version: 0,
    ...over,
  };
  state = upsertCampaign(state, campaign, systemCtx);
  let asked = 0;
  // The seller's side: its pure admission rule on its document, as SellerActor.admit runs it.
  const deps = {
    redis,
    sql: undefined as unknown as Sql,
    pii: undefined as unknown as PiiKeyring,
    admit: async () => {
      asked++;
      const d = admit(state, { callId: `call_${randomUUID()}`, campaignId: campaign.id }, systemCtx);
      if (!d.ok) return d;
      state = d.value.state;
      return { ok: true as const, value: d.value.terms };
    },
  };
  const cmd = { sellerId: state.sellerId, sellerCampaignId: campaign.id } as OfferCommand;
  return { deps, cmd, asked: () => asked, state: () => state, campaign };
}

describe("seller admission in the call's gates", () => {
  it("admits an uncapped campaign from the index, without the seller", async () => {
    const m = market();
    await indexSellerCampaigns(redis, m.state());
    const r = await admitOffer(m.deps, m.cmd);
    expect(r).toMatchObject({ ok: true, value: { reserveMicros: 5_000_000, payout: { percent: 60 } } });
    expect(m.asked()).toBe(0);
  });

  it("refuses a paused uncapped campaign from the index", async () => {
    const m = market({ status: "paused" });
    await indexSellerCampaigns(redis, m.state());
    const r = await admitOffer(m.deps, m.cmd);
    expect(r).toMatchObject({ ok: false, reason: { code: "seller_campaign_paused" } });
    expect(m.asked()).toBe(0);
  });

  it("asks the seller for a capped campaign, whose cap then holds", async () => {
    const m = market({ caps: { daily: 2 } });
    await indexSellerCampaigns(redis, m.state());
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await admitOffer(m.deps, m.cmd));
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(m.asked()).toBe(3);
  });

  it("asks the seller when the campaign is not indexed, or indexed under another seller", async () => {
    const m = market();
    expect((await admitOffer(m.deps, m.cmd)).ok).toBe(true);
    await indexSellerCampaigns(redis, m.state());
    await admitOffer(m.deps, { ...m.cmd, sellerId: "sel_other" });
    expect(m.asked()).toBe(2);
  });
});
