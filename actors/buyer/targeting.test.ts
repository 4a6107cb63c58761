import { describe, expect, it } from "vitest";
import type { BuyerCampaign, CallFacts } from "./buyer-api.ts";
import { isDuplicate, targetingRefusal } from "./targeting.ts";
import { testCall, testCampaign } from "./test-builders.ts";

const campaign = (over: Partial<BuyerCampaign> = {}) => testCampaign({ minDurationSec: 60, ...over });
const call = (over: Partial<CallFacts> = {}) => testCall({ callerState: "FL", areaCode: "305", ...over });

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
