// The buyer campaign rules that relate fields: a destination, and intervals that open before they close.
import { describe, expect, it } from "vitest";
import { fixedCtx } from "../kernel/ctx.ts";
import type { BuyerCampaign } from "./buyer-api.ts";
import { campaignProblems } from "./campaign-problems.ts";
import { newBuyerState, patchedCampaign } from "./profile.ts";

const valid: BuyerCampaign = {
  id: "cmp_a",
  buyerId: "buy_1",
  name: "Auto leads",
  status: "active",
  vertical: "auto",
  states: ["TX", "CA"],
  zips: ["75001"],
  areaCodes: ["214"],
  tags: ["spanish"],
  bidMicros: 0,
  minDurationSec: 0,
  priority: 0,
  weight: 0,
  destination: { number: "+12145550100" },
  schedule: { timezone: "America/Phoenix", hours: [{ days: ["fri"], open: "22:00", close: "02:00" }] },
  caps: { concurrency: 1, dailySpendMicros: 1 },
  duplicateWindowDays: 0,
  rtb: { url: "https://rtb.example.com/bid", timeoutMs: 150 },
  createdAt: "",
  updatedAt: "",
  version: 0,
};
const fields = (over: Partial<BuyerCampaign>): string[] =>
  campaignProblems({ ...valid, ...over }).map((p) => p.field);

describe("campaignProblems", () => {
  it("finds nothing wrong with a valid campaign, a SIP-only destination or a whole day", () => {
    expect(campaignProblems(valid)).toEqual([]);
    expect(fields({ destination: { sip: "sip:agent@pbx.example.com" }, schedule: undefined })).toEqual([]);
    expect(
      fields({ schedule: { timezone: "UTC", hours: [{ days: ["sun"], open: "00:00", close: "24:00" }] } }),
    ).toEqual([]);
  });

  it("needs a number or a SIP URI", () => {
    expect(fields({ destination: {} })).toEqual(["destination"]);
  });

  it("refuses an interval that closes when it opens", () => {
    const schedule = {
      timezone: "UTC",
      hours: [
        { days: ["mon" as const], open: "09:00", close: "17:00" },
        { days: ["tue" as const], open: "09:00", close: "09:00" },
      ],
    };
    expect(fields({ schedule })).toEqual(["schedule.hours[1].close"]);
  });

  it("judges a PATCH on the campaign it makes: clearing the destination's number alone is refused", () => {
    const fresh = newBuyerState(
      { buyerId: "buy_1", name: "b", timezone: "UTC", creditLimitMicros: 0 },
      fixedCtx(0),
    );
    const state = { ...fresh, campaigns: { [valid.id]: valid } };
    const patched = patchedCampaign(state, valid.id, { destination: {} });
    if (!patched.ok) throw new Error(patched.reason.detail);
    expect(campaignProblems(patched.value).map((p) => p.field)).toEqual(["destination"]);
  });
});

describe("patchedCampaign", () => {
  const fresh = newBuyerState(
    { buyerId: "buy_1", name: "b", timezone: "UTC", creditLimitMicros: 0 },
    fixedCtx(0),
  );
  const state = { ...fresh, campaigns: { [valid.id]: { ...valid, version: 4 } } };

  it("replaces the fields the patch names and keeps the campaign's identity and version", () => {
    const patch = { bidMicros: 7, id: "cmp_other", buyerId: "buy_2", version: 99 } as never;
    expect(patchedCampaign(state, valid.id, patch)).toEqual({
      ok: true,
      value: { ...valid, version: 4, bidMicros: 7 },
    });
  });

  it("refuses a campaign the buyer does not have", () => {
    expect(patchedCampaign(state, "cmp_none", { bidMicros: 7 })).toMatchObject({
      ok: false,
      reason: { code: "campaign_unknown" },
    });
  });
});
