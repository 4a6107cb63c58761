import { describe, expect, it } from "vitest";
import { statementCsv } from "../ledger/statement.ts";

const base = {
  accountId: "sel_1",
  month: "2026-11",
  from: "2026-11-01T00:00:00.000Z",
  to: "2026-12-01T00:00:00.000Z",
  openingBalanceMicros: 0,
  closingBalanceMicros: 15,
};
const line = {
  occurredAt: "2026-11-02T10:00:00.000Z",
  postingId: "pst_1",
  kind: "charge",
  reference: "call_1",
  memo: "charge for call call_1",
  amountMicros: 15,
  balanceMicros: 15,
};

describe("seller statement CSV", () => {
  it("adds each charge's availability and when it becomes available", () => {
    const csv = statementCsv(
      { ...base, lines: [{ ...line, availability: "pending", availableAt: "2026-11-09T10:00:00.000Z" }] },
      true,
    ).split("\r\n");
    expect(csv[0]).toBe(
      "occurred_at,posting_id,kind,reference,memo,amount_micros,balance_micros,availability,available_at",
    );
    expect(csv[1]).toBe(",,opening_balance,,,,0,,");
    expect(csv[2]).toBe(
      "2026-11-02T10:00:00.000Z,pst_1,charge,call_1,charge for call call_1,15,15,pending,2026-11-09T10:00:00.000Z",
    );
    expect(csv[3]).toBe(",,closing_balance,,,,15,,");
  });

  it("keeps other accounts' statements as they were", () => {
    const csv = statementCsv({ ...base, accountId: "byr_1", lines: [line] }).split("\r\n");
    expect(csv[0]).toBe("occurred_at,posting_id,kind,reference,memo,amount_micros,balance_micros");
    expect(csv[2]).toBe("2026-11-02T10:00:00.000Z,pst_1,charge,call_1,charge for call call_1,15,15");
  });
});
