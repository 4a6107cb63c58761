// RTB's pure half: the ping body (the caller number only when allowed) and every way an answer is
// read into a bid or dropped with its reason code.
import { describe, expect, it } from "vitest";
import type { BuyerCampaign } from "../buyer/buyer-api.ts";
import { fixedCtx } from "../kernel/ctx.ts";
import { buildPing, type RtbExchange, readAnswer } from "./rtb.ts";

const T0 = Date.parse("2026-03-02T15:00:00.000Z");

const campaign: BuyerCampaign = {
  id: "bcp_rtb001",
  buyerId: "byr_rtb001",
  name: "RTB",
  status: "active",
  vertical: "auto",
  states: ["FL"],
  bidMicros: 1_000_000,
  minDurationSec: 90,
  priority: 2,
  weight: 7,
  destination: { number: "+13055550100" },
  caps: {},
  duplicateWindowDays: 0,
  rtb: { url: "https://rtb.example.com/bid", timeoutMs: 150 },
  createdAt: "",
  updatedAt: "",
  version: 0,
};

const call = {
  callId: "call_abc123",
  callerHash: "ph_secret",
  callerState: "FL",
  callerZip: "33101",
  areaCode: "305",
  vertical: "auto",
  tags: ["spanish"],
};

const answer = (body: unknown, status = 200): RtbExchange => ({
  kind: "answer",
  status,
  text: typeof body === "string" ? body : JSON.stringify(body),
  receivedAt: T0 + 40,
});
const read = (ex: RtbExchange) => readAnswer(campaign, ex, fixedCtx(T0));
const reason = (ex: RtbExchange) => {
  const r = read(ex);
  return r.ok ? "bid" : r.loser.reason;
};

describe("buildPing", () => {
  const facts = { call, publisherId: "pub_x", reserveMicros: 5_000_000, deadlineMs: T0 + 300 };

  it("carries the call facts, the campaign, the reserve and the deadline, but no caller hash or number", () => {
    const ping = buildPing(campaign, facts, fixedCtx(T0));
    expect(ping).toEqual({
      requestId: "rtb_000001",
      callId: "call_abc123",
      campaignId: "bcp_rtb001",
      vertical: "auto",
      callerState: "FL",
      callerZip: "33101",
      areaCode: "305",
      tags: ["spanish"],
      publisherId: "pub_x",
      reserveMicros: 5_000_000,
      expiresAt: "2026-03-02T15:00:00.300Z",
    });
    expect(JSON.stringify(ping)).not.toContain("ph_secret");
  });

  it("adds the caller number only when it is given (the seller allows it)", () => {
    const ping = buildPing(campaign, { ...facts, callerNumber: "+13059871234" }, fixedCtx(T0));
    expect(ping.callerNumber).toBe("+13059871234");
  });
});

describe("readAnswer", () => {
  it("turns a valid answer into an RTB bid with the campaign's tie-breaks (its destination comes with the reservation), stamped with its arrival", () => {
    const r = read(answer({ bidMicros: 31_000_000, bidId: "theirs-1" }));
    expect(r).toEqual({
      ok: true,
      bid: {
        bidId: "bid_000001",
        buyerId: "byr_rtb001",
        campaignId: "bcp_rtb001",
        amountMicros: 31_000_000,
        priority: 2,
        weight: 7,
        receivedAt: T0 + 40,
        source: "rtb",
      },
    });
  });

  it("takes the answer's destination and expiry when given", () => {
    const r = read(
      answer({ bidMicros: 9, expiresInSeconds: 2.5, destination: { sip: "sip:q@pbx.example.com" } }),
    );
    expect(r.ok && r.bid.destination).toEqual({ sip: "sip:q@pbx.example.com" });
    expect(r.ok && r.bid.expiresAt).toBe(T0 + 40 + 2_500);
  });

  it.each<[string, RtbExchange, string]>([
    ["a timeout", { kind: "timeout" }, "rtb_timeout"],
    ["a network failure", { kind: "error", detail: "ECONNREFUSED" }, "rtb_error"],
    ["HTTP 500", answer({ bidMicros: 9 }, 500), "rtb_error"],
    ["HTTP 302", answer("", 302), "rtb_error"],
    ["HTTP 204", answer("", 204), "rtb_no_bid"],
    ["bidMicros 0", answer({ bidMicros: 0, reason: "budget" }), "rtb_no_bid"],
    ["not JSON", answer("<html>"), "rtb_malformed"],
    ["an empty body", answer(""), "rtb_malformed"],
    ["a JSON array", answer([1]), "rtb_malformed"],
    ["JSON null", answer("null"), "rtb_malformed"],
    ["no bidMicros", answer({ price: 9 }), "rtb_malformed"],
    ["a fractional amount", answer({ bidMicros: 12.5 }), "rtb_malformed"],
    ["a negative amount", answer({ bidMicros: -1 }), "rtb_malformed"],
    ["an amount as a string", answer({ bidMicros: "9000000" }), "rtb_malformed"],
    ["an unsafe integer", answer({ bidMicros: 2 ** 53 }), "rtb_malformed"],
    ["a bad destination number", answer({ bidMicros: 9, destination: { number: "555" } }), "rtb_malformed"],
    ["an empty destination", answer({ bidMicros: 9, destination: {} }), "rtb_malformed"],
    ["a non-string bidId", answer({ bidMicros: 9, bidId: 7 }), "rtb_malformed"],
    ["a negative expiry", answer({ bidMicros: 9, expiresInSeconds: -1 }), "rtb_malformed"],
    ["an expiry as a string", answer({ bidMicros: 9, expiresInSeconds: "5" }), "rtb_malformed"],
    ["an expiry of 0 s", answer({ bidMicros: 9, expiresInSeconds: 0 }), "bid_expired"],
  ])("drops %s", (_name, ex, expected) => {
    expect(reason(ex)).toBe(expected);
  });

  it("names the campaign and buyer on a dropped answer, with no bid id", () => {
    const r = read({ kind: "timeout" });
    expect(r.ok ? null : r.loser).toEqual({
      bidId: "",
      buyerId: "byr_rtb001",
      campaignId: "bcp_rtb001",
      amountMicros: 0,
      reason: "rtb_timeout",
    });
  });
});
