// Reading `auction.closed` summaries out of domain-events stream entries as daprd writes them.
import { describe, expect, it } from "vitest";
import { eventBatch } from "../../actors/kernel/events.ts";
import { summarize } from "./auction-feed.ts";
import { cloudEntry, cloudMessage, event } from "./test-entries.ts";

describe("summarize", () => {
  it("summarizes a won auction with its clearing price and a lost one with its reason", () => {
    const won = cloudEntry("call_x", "auction.closed", {
      winner: {
        buyerId: "byr_1",
        buyerCampaignId: "bcp_1",
        priceMicros: 7_000_000,
        destination: { number: "+1" },
      },
      reason: null,
      bids: 2,
      candidates: 5,
    });
    expect(summarize(["1-0", won])).toEqual({
      id: "1-0",
      callId: "call_x",
      status: "routed",
      reasonCode: null,
      bids: 2,
      candidates: 5,
      buyerId: "byr_1",
      buyerCampaignId: "bcp_1",
      clearingPriceMicros: 7_000_000,
      occurredAt: "2026-12-02T08:00:00.000Z",
    });
    const lost = cloudEntry("call_y", "auction.closed", {
      winner: null,
      reason: { code: "below_reserve" },
      bids: 1,
      candidates: 1,
    });
    expect(summarize(["2-0", lost])).toMatchObject({
      status: "no_bid",
      reasonCode: "below_reserve",
      clearingPriceMicros: null,
      buyerId: null,
    });
  });

  it("finds the auction.closed event in a batch: one offer's events published as one message", () => {
    const batch = eventBatch([
      event("call_z", "call.offered", {}),
      event("call_z", "call.routed", {}),
      event("call_z", "auction.closed", {
        winner: null,
        reason: { code: "no_bids" },
        bids: 0,
        candidates: 3,
      }),
    ] as never);
    expect(summarize(["3-0", cloudMessage(batch)])).toMatchObject({
      id: "3-0",
      callId: "call_z",
      status: "no_bid",
      reasonCode: "no_bids",
      candidates: 3,
    });
    const without = eventBatch([event("call_z", "call.offered", { note: "auction.closed" })] as never);
    expect(summarize(["4-0", cloudMessage(without)])).toBeNull();
  });

  it("skips other events, unreadable entries and raw (non-CloudEvent) auction.closed JSON alike safely", () => {
    expect(summarize(["1-0", cloudEntry("call_x", "call.connected", {})])).toBeNull();
    expect(summarize(["1-0", ["data", '{"type":"auction.closed", broken']])).toBeNull();
    expect(summarize(["1-0", ["n", "auction.closed"]])).toBeNull();
    const raw = JSON.stringify({
      type: "auction.closed",
      occurredAt: "2026-12-02T08:00:00.000Z",
      aggregate: { id: "call_r" },
      data: { winner: null, bids: 0, candidates: 0 },
    });
    expect(summarize(["3-0", ["data", raw]])).toMatchObject({ callId: "call_r", status: "no_bid" });
  });
});
