// The buyer actor's campaign map is capped (list and text limits are the API schema's: api/schemas).
import { describe, expect, it } from "vitest";
import { fixedCtx } from "../kernel/ctx.ts";
import { LIMITS } from "../kernel/limits.ts";
import { newBuyerState, upsertCampaign } from "./profile.ts";
import { targetingEntry } from "./targeting.ts";
import { testCampaign } from "./test-builders.ts";

const ctx = fixedCtx(Date.parse("2026-12-01T00:00:00Z"));

describe("campaign limits in the buyer actor", () => {
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
