// The archived call view: what GET /v1/calls/{id} answers from the calls read model once the call's
// documents expired, in the names the live view uses, and who may see it.
import { describe, expect, it } from "vitest";
import type { CallRow } from "../db/schema.ts";
import { viewAs } from "../views/policy.ts";
import { archivedView, canSeeRow } from "./call-archive.ts";

const row: CallRow = {
  callId: "call_1",
  revision: 7,
  status: "completed",
  sellerId: "sel_1",
  sellerCampaignId: "scp_1",
  buyerId: "byr_1",
  buyerCampaignId: "bcp_1",
  vertical: "auto",
  callerState: "FL",
  priceMicros: 12_000_000,
  billable: true,
  chargedMicros: 12_000_000,
  payoutMicros: 8_400_000,
  durationSec: 95,
  reasonCode: null,
  callerHash: "ph_x",
  attempts: 1,
  offeredAt: "2026-12-02 02:10:00.123+00",
  endedAt: "2026-12-02 02:12:00+00",
  conversionStatus: null,
};

describe("archivedView", () => {
  it("gives a routed call's decision, billing and timeline from the row, marked archived", () => {
    expect(archivedView(row)).toEqual({
      callId: "call_1",
      status: "completed",
      sellerId: "sel_1",
      sellerCampaignId: "scp_1",
      callerState: "FL",
      vertical: "auto",
      decision: {
        callId: "call_1",
        status: "routed",
        buyerId: "byr_1",
        buyerCampaignId: "bcp_1",
        priceMicros: 12_000_000,
      },
      timeline: { offeredAt: "2026-12-02T02:10:00.123Z", endedAt: "2026-12-02T02:12:00.000Z" },
      durationSec: 95,
      billable: true,
      chargedMicros: 12_000_000,
      payoutMicros: 8_400_000,
      billing: {
        billable: true,
        chargedMicros: 12_000_000,
        payoutMicros: 8_400_000,
        marginMicros: 3_600_000,
      },
      archived: true,
    });
  });

  it("gives a refused offer its status and reason code, never the caller hash", () => {
    const refused = { ...row, status: "rejected", buyerId: null, buyerCampaignId: null, priceMicros: null };
    const view = archivedView({ ...refused, billable: null, reasonCode: "dnc_listed", endedAt: null });
    expect(view.decision).toEqual({ callId: "call_1", status: "rejected", reason: { code: "dnc_listed" } });
    expect(view.billing).toBeUndefined();
    expect(JSON.stringify(view)).not.toContain("ph_x");
  });

  it("shows the call to its seller, its buyer and admins only, each in their view", () => {
    expect(canSeeRow({ role: "seller", accountId: "sel_1" }, row)).toBe(true);
    expect(canSeeRow({ role: "buyer", accountId: "byr_1" }, row)).toBe(true);
    expect(canSeeRow({ role: "admin", accountId: null }, row)).toBe(true);
    expect(canSeeRow({ role: "buyer", accountId: "byr_2" }, row)).toBe(false);
    expect(canSeeRow({ role: "seller", accountId: "sel_2" }, row)).toBe(false);
    const asBuyer = viewAs({ role: "buyer", accountId: "byr_1" }, archivedView(row)) as Record<
      string,
      unknown
    >;
    expect(asBuyer).toMatchObject({ archived: true, chargedMicros: 12_000_000 });
    expect(asBuyer).not.toHaveProperty("payoutMicros");
    expect(asBuyer).not.toHaveProperty("sellerId");
  });
});
