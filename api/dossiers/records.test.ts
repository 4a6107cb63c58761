import { describe, expect, it } from "vitest";
import { GENESIS, payloadDigest, rowHash } from "../audit/chain.ts";
import { recordOf } from "./records.ts";

const data = { sellerId: "sel_1", sellerCampaignId: "sc_1", vertical: "auto" };
const base = {
  chain: 3,
  seq: 9,
  eventId: "evt_1",
  type: "call.offered",
  aggregateType: "call",
  aggregateId: "call_1",
  occurredAt: "2027-01-15T08:00:00.000Z",
  payloadDigest: payloadDigest(data),
  prevHash: GENESIS,
};
const row = { ...base, hash: rowHash(base) };

describe("recordOf", () => {
  it("keeps an admin's data whole, with the row's hash inputs", () => {
    expect(recordOf({ role: "admin" }, row, data)).toEqual({
      auditRow: [9, "evt_1", "call.offered", "call", "call_1", base.occurredAt, base.payloadDigest],
      data,
      dataWhole: true,
    });
  });
  it("cuts a buyer's data by the view and says so", () => {
    const r = recordOf({ role: "buyer", accountId: "byr_1" }, row, data);
    expect(r.data).toEqual({ vertical: "auto" });
    expect(r.dataWhole).toBe(false);
    expect(recordOf({ role: "seller", accountId: "sel_1" }, row, data).dataWhole).toBe(true);
  });
  it("does not call data whole once it lost its audited digest (an erasure)", () => {
    expect(recordOf({ role: "admin" }, row, { ...data, callerHash: "erased" }).dataWhole).toBe(false);
  });
});
