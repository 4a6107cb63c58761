// Builders for tests of buyer and auction rules: a minimal valid campaign and call, with overrides.
import type { BuyerCampaign, CallFacts } from "./buyer-api.ts";

export function testCampaign(over: Partial<BuyerCampaign> = {}): BuyerCampaign {
  return {
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
    ...over,
  };
}

export function testCall(over: Partial<CallFacts> = {}): CallFacts {
  return { callId: "call_1", callerHash: "ph_1", vertical: "auto", tags: [], ...over };
}
