// Reports through the real stack: a seller's and a buyer's own calls, revenue and win rates by campaign
// and hour, JSON and CSV; another tenant's account is refused.
import { describe, expect, it } from "vitest";
import {
  call,
  createBuyer,
  createBuyerCampaign,
  createSeller,
  randomCaller,
  uniq,
  waitFor,
} from "./client.ts";
import { API } from "./stack.ts";

type Report = { columns: string[]; items: Record<string, number | string>[] };

describe("reports", () => {
  it("reports calls, revenue and win rates per campaign and hour, scoped to the account", async () => {
    const vertical = `rep_${uniq().slice(0, 8)}`;
    const buyer = await createBuyer();
    const bcp = await createBuyerCampaign(buyer, { vertical, bidMicros: 20_000_000, minDurationSec: 30 });
    const buyerKey = (
      await call<{ key: string }>("POST", "/v1/api-keys", { body: { accountId: buyer, role: "buyer" } })
    ).body.key;
    const seller = await createSeller({ vertical, reserveMicros: 1_000_000 });
    const other = await createSeller();
    const callIds: string[] = [];
    for (let i = 0; i < 2; i++) {
      const offer = await call<{ callId: string }>("POST", "/v1/calls", {
        key: seller.key,
        idempotencyKey: uniq(),
        body: { sellerCampaignId: seller.sellerCampaignId, callerNumber: randomCaller(), callerState: "FL" },
      });
      callIds.push(offer.body.callId);
    }
    const events = `/v1/calls/${callIds[0]}/events`;
    await call("POST", events, { key: seller.key, body: { type: "connected" } });
    await call("POST", events, { key: seller.key, body: { type: "completed", durationSec: 60 } });

    const calls = await waitFor(
      () => call<Report>("GET", "/v1/reports/calls?groupBy=campaign", { key: seller.key }),
      (r) => r.body.items?.[0]?.billable === 1 && r.body.items[0]?.offered === 2,
    );
    expect(calls.status).toBe(200);
    expect(calls.body.items).toEqual([
      {
        campaignId: seller.sellerCampaignId,
        offered: 2,
        routed: 2,
        completed: 1,
        billable: 1,
        avgDurationSec: 60,
      },
    ]);
    const revenue = await call<Report>("GET", "/v1/reports/revenue", { key: seller.key });
    // One billable call at the buyer's $20 bid (first price), 60 % of it paid out to the seller.
    expect(revenue.body.items).toEqual([
      expect.objectContaining({
        chargedMicros: 20_000_000,
        payoutMicros: 12_000_000,
        marginMicros: 8_000_000,
      }),
    ]);
    const win = await call<Report>("GET", "/v1/reports/win-rates?groupBy=hour", { key: seller.key });
    expect(win.body.items[0]).toMatchObject({ offered: 2, routed: 2, winRate: 1 });
    expect(String(win.body.items[0]!.hour)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00Z$/);

    const mine = await call<Report>("GET", "/v1/reports/calls", { key: buyerKey });
    expect(mine.body.items).toEqual([expect.objectContaining({ campaignId: bcp, routed: 2, billable: 1 })]);

    const csv = await fetch(`${API}/v1/reports/revenue?format=csv`, {
      headers: { authorization: `Bearer ${seller.key}` },
    });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe("campaignId,billable,chargedMicros,payoutMicros,marginMicros");
    expect(lines[1]).toMatch(new RegExp(`^${seller.sellerCampaignId},1,\\d+,\\d+,\\d+$`));

    const admin = await call<Report>("GET", `/v1/reports/calls?accountId=${seller.sellerId}`);
    expect(admin.body.items[0]).toMatchObject({ offered: 2 });
    const refused = await call("GET", `/v1/reports/calls?accountId=${seller.sellerId}`, { key: other.key });
    expect(refused.status).toBe(403);
    const empty = await call<Report>("GET", "/v1/reports/calls", { key: other.key });
    expect(empty.body.items).toEqual([]);
  });
});
