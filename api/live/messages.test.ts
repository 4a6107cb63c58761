// What a live bidder receives of the actors' notices: its view under the one policy (api/views).
import { describe, expect, it } from "vitest";
import { violations } from "../views/policy.ts";
import { liveView } from "./messages.ts";

const buyer = { role: "buyer" as const, accountId: "byr_1" };

describe("liveView", () => {
  it("sends an opportunity without the seller's reserve", () => {
    const notice = {
      type: "opportunity",
      auctionId: "call_1",
      callId: "call_1",
      campaignId: "bcp_1",
      vertical: "auto",
      callerState: "FL",
      areaCode: "305",
      tags: [],
      reserveMicros: 10_000_000,
      deadline: "2026-12-01T10:00:00.300Z",
    };
    const sent = JSON.parse(liveView("byr_1", JSON.stringify(notice))!);
    const { reserveMicros: _r, ...rest } = notice;
    expect(sent).toEqual(rest);
    expect(violations(buyer, sent)).toEqual([]);
  });

  it("passes the buyer's own outcome through whole", () => {
    const won = { type: "won", callId: "call_1", campaignId: "bcp_1", priceMicros: 5 };
    const lost = { type: "lost", callId: "call_1", campaignId: "bcp_1", reason: "buyer_suppressed" };
    expect(JSON.parse(liveView("byr_1", JSON.stringify(won))!)).toEqual(won);
    expect(JSON.parse(liveView("byr_1", JSON.stringify(lost))!)).toEqual(lost);
  });

  it("forwards nothing it cannot read as a JSON object", () => {
    for (const text of ["not json", "[1]", "null", '"x"']) expect(liveView("byr_1", text)).toBeUndefined();
  });
});
