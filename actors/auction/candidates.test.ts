import { describe, expect, it } from "vitest";
import { testCall, testCampaign } from "../buyer/test-builders.ts";
import { prefilterRefusal } from "./candidates.ts";

const campaign = testCampaign();
const call = testCall();

describe("candidate prefilter: buyer suppression", () => {
  it("drops every campaign of a buyer that suppresses the caller, before anything else", () => {
    expect(prefilterRefusal(campaign, call, 0, new Set(["byr_1"]))).toBe("buyer_suppressed");
    expect(prefilterRefusal({ ...campaign, status: "paused" }, call, 0, new Set(["byr_1"]))).toBe(
      "buyer_suppressed",
    );
  });

  it("keeps campaigns of other buyers", () => {
    expect(prefilterRefusal(campaign, call, 0, new Set(["byr_2"]))).toBeUndefined();
    expect(prefilterRefusal(campaign, call, 0)).toBeUndefined();
  });
});
