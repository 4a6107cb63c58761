// The routing decision's partner view keeps every field partners see, with the ISO expiry.
import { describe, expect, it } from "vitest";
import { type Routing, routedView } from "./routing.ts";

describe("routedView", () => {
  it("shows the routing with its expiry as an ISO instant, and nothing internal", () => {
    const r: Routing = {
      bidId: "bid_1",
      buyerId: "byr_1",
      buyerCampaignId: "bcp_1",
      priceMicros: 25_000_000,
      destination: { number: "+13055550100" },
      minDurationSec: 60,
      expiresAtMs: Date.parse("2026-07-16T00:00:30.000Z"),
    };
    expect(routedView(r, true)).toEqual({
      buyerId: "byr_1",
      buyerCampaignId: "bcp_1",
      bidId: "bid_1",
      destination: { number: "+13055550100" },
      priceMicros: 25_000_000,
      minDurationSec: 60,
      expiresAt: "2026-07-16T00:00:30.000Z",
      recordingDisclosure: true,
    });
  });
});
