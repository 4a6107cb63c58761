// The buyer actor's own checks read the same limits as the API's schemas, and its campaign map is capped.
import { describe, expect, it } from "vitest";
import { fixedCtx } from "../kernel/ctx.ts";
import { LIMITS, RANGES } from "../kernel/limits.ts";
import type { BuyerCampaign } from "./buyer-api.ts";
import { campaignProblems } from "./campaign-problems.ts";
import { newBuyerState, upsertCampaign } from "./profile.ts";
import { targetingEntry } from "./targeting.ts";
import { testCampaign } from "./test-builders.ts";

const ctx = fixedCtx(Date.parse("2026-12-01T00:00:00Z"));
const fieldsOf = (c: BuyerCampaign) => campaignProblems(c).map((p) => p.field);

describe("campaign limits in the buyer actor", () => {
  it("refuses lists over their limits with the limit's name, and takes them at the limit", () => {
    const n = (k: number, f: (i: number) => string) => Array.from({ length: k }, (_, i) => f(i));
    const zip = (i: number) => String(10000 + i);
    expect(fieldsOf(testCampaign({ zips: n(LIMITS["campaign.zips"], zip) }))).toEqual([]);
    expect(campaignProblems(testCampaign({ zips: n(LIMITS["campaign.zips"] + 1, zip) }))).toEqual([
      { field: "zips", message: "must have at most 2000 entries (limit campaign.zips)" },
    ]);
    expect(fieldsOf(testCampaign({ tags: n(LIMITS["campaign.tags"] + 1, (i) => `t${i}`) }))).toEqual([
      "tags",
    ]);
    expect(fieldsOf(testCampaign({ name: "n".repeat(LIMITS["text.name"] + 1) }))).toEqual(["name"]);
    const hours = n(LIMITS["campaign.schedule.hours"] + 1, () => "x").map(() => ({
      days: ["mon" as const],
      open: "09:00",
      close: "17:00",
    }));
    expect(fieldsOf(testCampaign({ schedule: { timezone: "UTC", hours } }))).toEqual(["schedule.hours"]);
  });

  it("holds rtb.timeoutMs to the API's range (it used to take any positive integer)", () => {
    const rtb = (timeoutMs: number) => testCampaign({ rtb: { url: "https://rtb.example.com/", timeoutMs } });
    expect(fieldsOf(rtb(RANGES.rtbTimeoutMs.max))).toEqual([]);
    expect(fieldsOf(rtb(RANGES.rtbTimeoutMs.max + 1))).toEqual(["rtb.timeoutMs"]);
    expect(fieldsOf(rtb(RANGES.rtbTimeoutMs.min - 1))).toEqual(["rtb.timeoutMs"]);
    expect(fieldsOf(testCampaign({ duplicateWindowDays: 366 }))).toEqual(["duplicateWindowDays"]);
  });

  it("refuses a campaign past campaigns.perBuyer, but still replaces one it holds", () => {
    let state = newBuyerState({ buyerId: "byr_1", name: "b", timezone: "UTC", creditLimitMicros: 0 }, ctx);
    const max = LIMITS["campaigns.perBuyer"];
    for (let i = 0; i < max; i++) {
      const r = upsertCampaign(state, testCampaign({ id: `bcp_${i}` }), ctx);
      if (!r.ok) throw new Error(r.reason.detail);
      state = r.value.state;
    }
    expect(upsertCampaign(state, testCampaign({ id: "bcp_new" }), ctx)).toMatchObject({
      ok: false,
      reason: { code: "limit_exceeded", limit: { name: "campaigns.perBuyer", max } },
    });
    expect(upsertCampaign(state, testCampaign({ id: "bcp_0", bidMicros: 5 }), ctx).ok).toBe(true);
  });
});

describe("targeting entry", () => {
  it("copies only what candidate selection, ranking and RTB pings need", () => {
    const full = testCampaign({
      tags: ["a"],
      zips: ["10001"],
      rtb: { url: "https://rtb.example.com/", timeoutMs: 100 },
      caps: { daily: 5 },
      requireConsent: true,
    });
    expect(Object.keys(targetingEntry(full)).sort()).toEqual(
      [
        "bidMicros",
        "buyerId",
        "id",
        "priority",
        "requireConsent",
        "rtb",
        "states",
        "status",
        "tags",
        "vertical",
        "weight",
        "zips",
      ].sort(),
    );
    expect(targetingEntry(full)).not.toHaveProperty("destination");
  });
});
