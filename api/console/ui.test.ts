// The console's table drops columns the view policy hides from the viewer's role, even when a row
// carries the field; the account's own configuration is shown as it is, marked apart.
import { describe, expect, it } from "vitest";
import { Table, when } from "./ui.tsx";

const row = {
  callId: "call_1",
  chargedMicros: 23_450_000,
  payoutMicros: 14_300_000,
  marginMicros: 9_150_000,
};
const cols = [
  { field: "callId", label: "Call" },
  { field: "chargedMicros", label: "Charged", money: true },
  { field: "payoutMicros", label: "Payout", money: true },
  { field: "marginMicros", label: "Margin", money: true },
];
const html = (viewer: "admin" | "buyer" | "seller", ownConfig = false) =>
  String(Table({ viewer, caption: "t", empty: "none", rows: [row], cols, ownConfig }));

describe("console Table", () => {
  it("never renders a field the role may not see", () => {
    const buyer = html("buyer");
    expect(buyer).toContain("$23.45");
    expect(buyer).not.toContain("$14.30");
    expect(buyer).not.toContain("$9.15");
    expect(buyer).not.toContain("Payout");
    const seller = html("seller");
    expect(seller).toContain("$14.30");
    expect(seller).toContain('data-field="payoutMicros"');
  });

  it("shows own configuration unfiltered, marked data-config rather than data-field", () => {
    const own = html("buyer", true);
    expect(own).toContain('data-config="payoutMicros"');
    expect(own).not.toContain("data-field=");
  });
});

describe("when", () => {
  it("formats ISO and Postgres times alike, in UTC", () => {
    expect(when("2026-12-02T07:49:39.759Z")).toBe("2026-12-02 07:49:39 UTC");
    expect(when("2026-12-02 07:49:39.759+00")).toBe("2026-12-02 07:49:39 UTC");
    expect(when(null)).toBe("–");
  });
});
