import { describe, expect, it } from "vitest";
import type { BuyerCampaign, CallFacts } from "../buyer/buyer-api.ts";
import { prefilterRefusal } from "./candidates.ts";

const campaign = {
  id: "bcp_1",
  buyerId: "byr_1",
  name: "c",
  status: "active",
  vertical: "auto",
  states: [],
  bidMicros: 1,
  minDurationSec: 0,
  priority: 1,
  weight: 1,
  destination: { number: "+13059870000" },
  caps: {},
  duplicateWindowDays: 0,
  createdAt: "",
  updatedAt: "",
  version: 1,
} as BuyerCampaign;
const call: CallFacts = { callId: "call_1", callerHash: "ph_1", vertical: "auto", tags: [] };

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
