// The named limits on request schemas: at the limit accepted, one over refused as limit_exceeded naming it.
import type * as v from "valibot";
import { describe, expect, it } from "vitest";
import { LIMITS, type LimitName } from "../../actors/kernel/limits.ts";
import { ApiError } from "../problem.ts";
import { check, jsonDepth } from "../validate.ts";
import { CreateBuyer } from "./accounts.ts";
import { BuyerCampaignBatch, DncBatch, SellerCampaignBatch } from "./batch.ts";
import { CallEvent, OfferCall } from "./calls.ts";
import { CreateBuyerCampaign, PatchBuyerCampaign } from "./campaigns.ts";
import { BlocklistEntries, CreateConsent, SuppressionEntries } from "./compliance.ts";
import { Payout, Refund } from "./ledger.ts";
import { CreateNumber } from "./numbers.ts";
import { CreateWebhook } from "./webhooks.ts";

const campaign = {
  name: "c",
  vertical: "auto",
  bidMicros: 1,
  minDurationSec: 0,
  destination: { number: "+13055550100" },
};
const offer = { sellerCampaignId: `scp_${"0".repeat(28)}`, callerNumber: "+13055550100" };
const states = (n: number) => Array.from({ length: n }, (_, i) => `${String.fromCharCode(65 + (i % 26))}A`);
const zips = (n: number) => Array.from({ length: n }, (_, i) => String(10000 + i));
const areaCodes = (n: number) => Array.from({ length: n }, (_, i) => String(200 + i));
const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
const hours = (n: number) =>
  Array.from({ length: n }, () => ({ days: ["mon"], open: "09:00", close: "17:00" }));
const phones = (n: number) => Array.from({ length: n }, (_, i) => `+1305555${String(i).padStart(4, "0")}`);
const campaignIds = (n: number) => Array.from({ length: n }, (_, i) => `bcp_${String(i).padStart(28, "0")}`);
const sellers = (n: number) => Array.from({ length: n }, (_, i) => `sel_${String(i).padStart(28, "0")}`);

type Case = [LimitName, v.GenericSchema, (n: number) => Record<string, unknown>];
const cases: Case[] = [
  ["campaign.states", CreateBuyerCampaign, (n) => ({ ...campaign, states: states(n) })],
  ["campaign.zips", CreateBuyerCampaign, (n) => ({ ...campaign, zips: zips(n) })],
  ["campaign.areaCodes", PatchBuyerCampaign, (n) => ({ areaCodes: areaCodes(n) })],
  ["campaign.tags", CreateBuyerCampaign, (n) => ({ ...campaign, tags: tags(n) })],
  [
    "campaign.schedule.hours",
    CreateBuyerCampaign,
    (n) => ({ ...campaign, schedule: { timezone: "UTC", hours: hours(n) } }),
  ],
  [
    "campaign.schedule.days",
    PatchBuyerCampaign,
    (n) => ({
      schedule: { timezone: "UTC", hours: [{ days: Array(n).fill("mon"), open: "09:00", close: "17:00" }] },
    }),
  ],
  ["offer.tags", OfferCall, (n) => ({ ...offer, tags: tags(n) })],
  [
    "number.tags",
    CreateNumber,
    (n) => ({ number: "+12125551234", sellerCampaignId: offer.sellerCampaignId, tags: tags(n) }),
  ],
  ["numbers.batch", SuppressionEntries, (n) => ({ numbers: phones(n) })],
  ["numbers.batch", BlocklistEntries, (n) => ({ numbers: phones(n) })],
  ["numbers.batch", DncBatch, (n) => ({ action: "add", numbers: phones(n) })],
  ["campaigns.batch", BuyerCampaignBatch, (n) => ({ action: "pause", campaignIds: campaignIds(n) })],
  [
    "campaigns.batch",
    BuyerCampaignBatch,
    (n) => ({ action: "bid", items: campaignIds(n).map((id) => ({ id, bidMicros: 1 })) }),
  ],
  ["campaigns.batch", SellerCampaignBatch, (n) => ({ action: "resume", campaignIds: campaignIds(n) })],
  ["payout.sellerIds", Payout, (n) => ({ sellerIds: sellers(n) })],
  ["text.name", CreateBuyer, (n) => ({ name: "n".repeat(n) })],
  ["text.tag", OfferCall, (n) => ({ ...offer, tags: ["t".repeat(n)] })],
  ["text.phone", OfferCall, (n) => ({ ...offer, callerNumber: "1".repeat(n) })],
  ["text.reason", Refund, (n) => ({ reason: "r".repeat(n) })],
  ["text.reason", CallEvent, (n) => ({ type: "failed", reason: "r".repeat(n) })],
  [
    "text.description",
    CreateWebhook,
    (n) => ({ url: "https://example.com/h", eventTypes: ["call.completed"], description: "d".repeat(n) }),
  ],
  [
    "text.url",
    CreateWebhook,
    (n) => ({ url: `https://example.com/${"p".repeat(n - 20)}`, eventTypes: ["call.completed"] }),
  ],
  ["text.sip", PatchBuyerCampaign, (n) => ({ destination: { sip: `sip:a@${"h".repeat(n - 6)}` } })],
  [
    "text.consentCertificate",
    CreateConsent,
    (n) => ({
      certificateId: "c".repeat(n),
      callerNumber: "+13055550100",
      obtainedAt: "2026-01-01T00:00:00Z",
      expiresAt: "2027-01-01T00:00:00Z",
    }),
  ],
];

function refusal(schema: v.GenericSchema, input: unknown): ApiError | undefined {
  try {
    check(schema, input);
    return undefined;
  } catch (err) {
    return err as ApiError;
  }
}

describe("named limits on request bodies", () => {
  it.each(cases)("%s: at the limit accepted, one over refused naming it", (name, schema, build) => {
    const max = LIMITS[name];
    expect(refusal(schema, build(max))).toBeUndefined();
    const err = refusal(schema, build(max + 1));
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: "limit_exceeded", extra: { limit: { name, max } } });
  });

  it("keeps other problems validation_failed", () => {
    expect(refusal(CreateBuyerCampaign, { ...campaign, zips: ["1"] })).toMatchObject({
      code: "validation_failed",
    });
  });

  it("holds rtb.timeoutMs to its range (the only check of it)", () => {
    const rtb = (timeoutMs: number) => ({ ...campaign, rtb: { url: "https://rtb.example.com/", timeoutMs } });
    expect(refusal(CreateBuyerCampaign, rtb(2_000))).toBeUndefined();
    expect(refusal(CreateBuyerCampaign, rtb(2_001))).toMatchObject({ code: "validation_failed" });
  });
});

describe("JSON nesting depth, read from the raw text", () => {
  it("counts arrays and objects, not brackets inside strings", () => {
    expect(jsonDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(jsonDepth('{"a":"[[[[{{{{\\"[[["}')).toBe(1);
    expect(jsonDepth("42")).toBe(0);
    expect(jsonDepth("[".repeat(100_000))).toBe(100_000);
  });
});
