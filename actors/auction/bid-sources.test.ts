// The pure parts of bid collection: one bid per campaign, live answers as bids, the opportunity a live
// buyer sees (never the caller) and the won/lost notices (each buyer only its own).
import { describe, expect, it } from "vitest";
import type { BuyerCampaign } from "../buyer/buyer-api.ts";
import { fixedCtx } from "../kernel/ctx.ts";
import type { AuctionOutcome, Bid } from "./auction-api.ts";
import { type BidRequest, liveBid, oneBidPerCampaign, opportunity, outcomeNotices } from "./bid-sources.ts";

const T0 = 1_770_000_000_000;

const campaign = (id: string, buyerId: string): BuyerCampaign => ({
  id,
  buyerId,
  name: id,
  status: "active",
  vertical: "auto",
  states: [],
  bidMicros: 10_000_000,
  minDurationSec: 60,
  priority: 1,
  weight: 3,
  destination: { number: "+13055550100" },
  caps: {},
  duplicateWindowDays: 0,
  createdAt: "",
  updatedAt: "",
  version: 0,
});

const bid = (campaignId: string, amountMicros: number, source: Bid["source"], receivedAt = T0): Bid => ({
  bidId: `bid_${source}${campaignId}`,
  buyerId: "byr_1",
  campaignId,
  amountMicros,
  priority: 1,
  weight: 1,
  receivedAt,
  source,
  destination: {},
  minDurationSec: 0,
});

describe("oneBidPerCampaign", () => {
  it("keeps a live bid that beats its campaign's standing bid, and the standing bid otherwise", () => {
    const kept = oneBidPerCampaign([
      bid("a", 10, "standing"),
      bid("b", 10, "standing"),
      bid("a", 12, "live"),
      bid("b", 8, "live"),
    ]);
    expect(kept.map((b) => [b.campaignId, b.source, b.amountMicros])).toEqual([
      ["a", "live", 12],
      ["b", "standing", 10],
    ]);
  });

  it("keeps the earlier bid on a tie", () => {
    expect(oneBidPerCampaign([bid("a", 10, "standing"), bid("a", 10, "live")])[0]!.source).toBe("standing");
  });
});

describe("liveBid", () => {
  const c = campaign("bcp_1", "byr_1");
  const ctx = fixedCtx(T0);

  it("prices the campaign at the live amount, with the campaign's tie-breaks (its destination comes with the reservation), stamped with its arrival", () => {
    expect(
      liveBid(c, { buyerId: "byr_1", campaignId: "bcp_1", bidMicros: 15_000_000, arrivedAt: T0 + 9 }, ctx),
    ).toEqual({
      bidId: "bid_000001",
      buyerId: "byr_1",
      campaignId: "bcp_1",
      amountMicros: 15_000_000,
      priority: 1,
      weight: 3,
      receivedAt: T0 + 9,
      source: "live",
    });
  });

  it("ignores a zero bid, a fractional one and one from another buyer", () => {
    const e = { buyerId: "byr_1", campaignId: "bcp_1", arrivedAt: T0 };
    expect(liveBid(c, { ...e, bidMicros: 0 }, ctx)).toBeUndefined();
    expect(liveBid(c, { ...e, bidMicros: 1.5 }, ctx)).toBeUndefined();
    expect(liveBid(c, { ...e, buyerId: "byr_2", bidMicros: 5 }, ctx)).toBeUndefined();
  });
});

describe("opportunity", () => {
  it("gives the call facts, reserve and deadline, never the caller's hash", () => {
    const req: BidRequest = {
      call: { callId: "call_1", callerHash: "ph_secret", callerState: "FL", vertical: "auto", tags: ["x"] },
      caller: { hash: "ph_secret", ciphertext: "sealed" },
      exposeCallerId: true,
      sellerId: "sel_1",
      sellerCampaignId: "scp_1",
      reserveMicros: 5_000_000,
      deadlineMs: T0 + 300,
    };
    const o = opportunity(campaign("bcp_1", "byr_1"), req);
    expect(o).toMatchObject({
      type: "opportunity",
      callId: "call_1",
      auctionId: "call_1",
      campaignId: "bcp_1",
    });
    expect(o.deadline).toBe(new Date(T0 + 300).toISOString());
    expect(JSON.stringify(o)).not.toMatch(/ph_secret|sealed|sel_1|scp_1/);
  });
});

describe("outcomeNotices", () => {
  const base: AuctionOutcome["summary"] = {
    candidates: 3,
    bids: 3,
    auctionType: "first",
    reserveMicros: 1,
    losers: [
      { bidId: "b2", buyerId: "byr_2", campaignId: "bcp_2", amountMicros: 5, reason: "below_reserve" },
    ],
    durationMs: 1,
  };
  const won: AuctionOutcome = {
    winner: {
      bidId: "b1",
      buyerId: "byr_1",
      buyerCampaignId: "bcp_1",
      priceMicros: 12_000_000,
      destination: {},
      minDurationSec: 0,
      expiresAtMs: T0,
    },
    summary: base,
  };
  const live = [
    { buyerId: "byr_1", campaignId: "bcp_1" },
    { buyerId: "byr_2", campaignId: "bcp_2" },
    { buyerId: "byr_3", campaignId: "bcp_3" },
  ];

  it("tells the winner its price and each loser only its reason", () => {
    expect(outcomeNotices(live, "call_1", won)).toEqual([
      {
        buyerId: "byr_1",
        notice: { type: "won", callId: "call_1", campaignId: "bcp_1", priceMicros: 12_000_000 },
      },
      {
        buyerId: "byr_2",
        notice: { type: "lost", callId: "call_1", campaignId: "bcp_2", reason: "below_reserve" },
      },
      { buyerId: "byr_3", notice: { type: "lost", callId: "call_1", campaignId: "bcp_3", reason: "outbid" } },
    ]);
  });

  it("gives the auction's reason when nobody won", () => {
    const none: AuctionOutcome = {
      reason: { code: "no_eligible_buyers", detail: "" },
      summary: { ...base, losers: [] },
    };
    expect(outcomeNotices(live.slice(2), "call_1", none)[0]!.notice).toMatchObject({
      type: "lost",
      reason: "no_eligible_buyers",
    });
  });
});
