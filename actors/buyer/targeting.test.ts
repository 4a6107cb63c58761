import { describe, expect, it } from "vitest";
import type { BuyerCampaign, CallFacts } from "./buyer-api.ts";
import { isDuplicate, targetingRefusal } from "./targeting.ts";

const campaign = (over: Partial<BuyerCampaign> = {}): BuyerCampaign => ({
  id: "bcp_1",
  buyerId: "byr_1",
  name: "c",
  status: "active",
  vertical: "auto",
  states: [],
  bidMicros: 1,
  minDurationSec: 60,
  priority: 1,
  weight: 1,
  destination: { number: "+13059870000" },
  caps: {},
  duplicateWindowDays: 0,
  createdAt: "",
  updatedAt: "",
  version: 1,
  ...over,
});
const call = (over: Partial<CallFacts> = {}): CallFacts => ({
  callId: "call_1",
  callerHash: "ph_1",
  callerState: "FL",
  areaCode: "305",
  vertical: "auto",
  tags: [],
  ...over,
});

describe("consent required by a buyer campaign", () => {
  it("refuses a call without a valid consent certificate", () => {
    expect(targetingRefusal(campaign({ requireConsent: true }), call())?.reason.code).toBe("consent_missing");
    expect(targetingRefusal(campaign({ requireConsent: true }), call({ consent: false }))?.reason.code).toBe(
      "consent_missing",
    );
  });

  it("takes the call when consent came with the offer, and ignores consent when not required", () => {
    expect(targetingRefusal(campaign({ requireConsent: true }), call({ consent: true }))).toBeUndefined();
    expect(targetingRefusal(campaign(), call())).toBeUndefined();
  });

  it("checks targeting before consent", () => {
    expect(targetingRefusal(campaign({ requireConsent: true, vertical: "home" }), call())?.reason.code).toBe(
      "targeting_vertical",
    );
  });
});

describe("duplicate window", () => {
  it("counts whole 24-hour periods", () => {
    expect(isDuplicate(1, 0, 86_399_999)).toBe(true);
    expect(isDuplicate(1, 0, 86_400_000)).toBe(false);
    expect(isDuplicate(0, 0, 1)).toBe(false);
    expect(isDuplicate(30, undefined, 1)).toBe(false);
  });
});
