import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CallState } from "../../actors/call/call-api.ts";
import { callView } from "../routes/calls.ts";
import { FIELD_POLICY, viewAs, violations } from "./policy.ts";

const state: CallState = {
  schema: 1,
  callId: "call_1",
  sellerId: "sel_1",
  sellerCampaignId: "scp_1",
  requestHash: "rh",
  status: "completed",
  caller: { hash: "h", ciphertext: "c", areaCode: "305", state: "FL", zip: "33101" },
  vertical: "auto",
  tags: [],
  decision: {
    callId: "call_1",
    status: "routed",
    buyerId: "byr_w",
    buyerCampaignId: "bcp_w",
    bidId: "bid_w",
    destination: { number: "+13055550100" },
    priceMicros: 30_000_001,
    minDurationSec: 60,
  },
  auction: {
    candidates: 4,
    bids: 3,
    winnerBidId: "bid_w",
    clearingPriceMicros: 30_000_001,
    auctionType: "second",
    reserveMicros: 10_000_000,
    losers: [
      { bidId: "bid_l", buyerId: "byr_l", campaignId: "bcp_l", amountMicros: 30_000_000, reason: "outbid" },
      {
        bidId: "",
        buyerId: "byr_s",
        campaignId: "bcp_s",
        amountMicros: 50_000_000,
        reason: "buyer_suppressed",
      },
      { bidId: "bid_w2", buyerId: "byr_w", campaignId: "bcp_w2", amountMicros: 20_000_000, reason: "outbid" },
    ],
    durationMs: 12,
  },
  timeline: { offeredAt: "2026-12-01T10:00:00.000Z", endedAt: "2026-12-01T10:02:00.000Z" },
  durationSec: 95,
  billing: { billable: true, chargedMicros: 30_000_001, payoutMicros: 21_000_000, marginMicros: 9_000_001 },
  appliedEvents: {},
};
const view = callView(state);
const winner = { role: "buyer" as const, accountId: "byr_w" };
const seller = { role: "seller" as const, accountId: "sel_1" };

describe("the view policy on a call", () => {
  it("the routed buyer sees its price, charge and own losing bid, not payout, margin, reserve or rivals", () => {
    const v = viewAs(winner, view);
    const text = JSON.stringify(v);
    for (const secret of ["payoutMicros", "marginMicros", "reserveMicros", "auctionType", "sellerCampaignId"])
      expect(text).not.toContain(secret);
    for (const rival of ["byr_l", "byr_s", "buyer_suppressed", "50000000", "30000000,"])
      expect(text).not.toContain(rival);
    expect(v).toMatchObject({
      chargedMicros: 30_000_001,
      decision: { buyerId: "byr_w", priceMicros: 30_000_001 },
    });
    expect(v.auction?.losers).toEqual([state.auction!.losers[2]]);
    expect(v.auction).not.toHaveProperty("bids");
    expect(violations(winner, v)).toEqual([]);
  });

  it("the seller sees counts, its reserve, its payout, margin and routed buyer, never a losing buyer", () => {
    const v = viewAs(seller, view);
    expect(v).toMatchObject({
      payoutMicros: 21_000_000,
      billing: { marginMicros: 9_000_001 },
      decision: { buyerId: "byr_w", priceMicros: 30_000_001 },
      auction: { candidates: 4, bids: 3, reserveMicros: 10_000_000, auctionType: "second" },
    });
    expect(v.auction).not.toHaveProperty("losers");
    for (const hidden of ["byr_l", "byr_s", "bcp_l", "buyer_suppressed", "50000000"])
      expect(JSON.stringify(v)).not.toContain(hidden);
    expect(violations(seller, v)).toEqual([]);
  });

  it("the admin sees the call whole, and every one of its fields is in the table", () => {
    expect(viewAs({ role: "admin" }, view)).toEqual(view);
    expect(violations({ role: "admin" }, view)).toEqual([]);
  });

  it("violations name each field path outside the policy", () => {
    expect(violations(winner, view)).toEqual(
      expect.arrayContaining([
        "sellerId",
        "auction.reserveMicros",
        "auction.losers[0]",
        "auction.losers[1]",
        "payoutMicros",
        "billing.marginMicros",
      ]),
    );
    expect(violations(seller, view)).toContain("auction.losers");
    expect(violations({ role: "admin" }, { callId: "c", secretNew: 1 })).toEqual(["secretNew"]);
  });

  it("a field nobody has decided on yet stays with admins", () => {
    const body = { items: [{ callId: "c", newField: 1 }] };
    expect(viewAs(winner, body)).toEqual({ items: [{ callId: "c" }] });
    expect(viewAs(seller, body)).toEqual({ items: [{ callId: "c" }] });
    expect(viewAs({ role: "admin" }, body)).toEqual(body);
  });
});

describe("docs/api.md", () => {
  it("carries the same field × role table as the code", () => {
    const doc = readFileSync(new URL("../../docs/api.md", import.meta.url), "utf8");
    const section = doc.split("## Per-party views")[1]!.split("\n## ")[0]!;
    const rows = section
      .split("\n")
      .filter((l) => l.startsWith("| `"))
      .map((l) => l.split("|").map((c) => c.trim()));
    const fromDoc = Object.fromEntries(rows.map((r) => [r[1]!.replaceAll("`", ""), [r[2], r[3], r[4]]]));
    const fromCode = Object.fromEntries(
      Object.entries(FIELD_POLICY).map(([f, [buyer, sellerAccess]]) => [f, ["yes", buyer, sellerAccess]]),
    );
    expect(fromDoc).toEqual(fromCode);
  });
});
