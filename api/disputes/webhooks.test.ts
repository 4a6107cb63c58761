// Dispute events as webhooks: sent to the exchange, the call's buyer and its seller, each in its own
// view (the seller never gets the buyer's evidence; the buyer never the seller or the clawback split).
import { describe, expect, it } from "vitest";
import type { DisputeRow } from "../db/dispute-schema.ts";
import { audiences, payloadFor } from "../webhooks/rules.ts";
import { disputeEvent } from "./store.ts";

const row: DisputeRow = {
  id: "dsp_1",
  seq: 1,
  callId: "call_1",
  buyerId: "byr_b",
  sellerId: "sel_s",
  reason: "spam",
  detail: "robocall",
  evidence: "crm ticket 42",
  status: "partially_accepted",
  refundMicros: 5_000_000,
  sellerClawbackMicros: 3_750_000,
  marginClawbackMicros: 1_250_000,
  timeline: [
    { at: "2026-12-01T00:00:00.000Z", status: "open", by: "buyer" },
    { at: "2026-12-02T00:00:00.000Z", status: "partially_accepted", by: "admin", note: "half" },
  ],
  openedAt: "2026-12-01T00:00:00.000Z",
  decidedAt: "2026-12-02T00:00:00.000Z",
};

describe("dispute webhooks", () => {
  const e = disputeEvent("dispute.decided", row, Date.parse("2026-12-02T00:00:00Z"));

  it("go to the exchange, the buyer and the seller", () => {
    expect(audiences(e)).toEqual([null, "byr_b", "sel_s"]);
  });

  it("carry each party's view", () => {
    const seller = payloadFor(e, "sel_s").data;
    expect(seller).toMatchObject({
      status: "partially_accepted",
      refundMicros: 5_000_000,
      sellerClawbackMicros: 3_750_000,
    });
    expect(seller).not.toHaveProperty("evidence");
    const buyer = payloadFor(e, "byr_b").data;
    expect(buyer).toMatchObject({
      evidence: "crm ticket 42",
      refundMicros: 5_000_000,
      timeline: row.timeline,
    });
    for (const hidden of ["sellerId", "sellerClawbackMicros", "marginClawbackMicros"])
      expect(buyer).not.toHaveProperty(hidden);
    expect(payloadFor(e, null).data).toMatchObject({ evidence: "crm ticket 42", sellerId: "sel_s" });
  });
});
