import { describe, expect, it } from "vitest";
import { areaCodeInfo, calledParty, zipInfo } from "./called-party.ts";
import { type CallingHoursRule, callingHoursVerdict, rulesInForce } from "./calling-hours.ts";

const at = (iso: string) => Date.parse(iso);

describe("called party", () => {
  it("maps area codes and ZIP prefixes to states and zones", () => {
    expect(areaCodeInfo("305")).toEqual({ state: "FL", zones: ["America/New_York"] });
    expect(areaCodeInfo("850")?.zones).toEqual(["America/New_York", "America/Chicago"]);
    expect(zipInfo("33101")).toEqual({ state: "FL", zones: ["America/New_York"] });
    expect(zipInfo("32501")).toEqual({ state: "FL", zones: ["America/Chicago"] });
    expect(zipInfo("79901")?.zones).toEqual(["America/Denver"]);
  });

  it("combines every source: a moved number counts in both places", () => {
    expect(calledParty({ areaCode: "212", zip: "90210" })).toEqual({
      states: ["CA", "NY"],
      zones: ["America/Los_Angeles", "America/New_York"],
    });
  });

  it("falls back to every US zone when nothing is known", () => {
    expect(calledParty({ areaCode: "800" }).zones).toContain("Pacific/Honolulu");
  });
});

describe("calling hours", () => {
  const miami = calledParty({ areaCode: "305", state: "FL" });
  const nyc = calledParty({ areaCode: "212" });

  it("allows federal 8:00-21:00 and FL 8:00-20:00 at the called party's local time", () => {
    // 2026-07-15 is a Wednesday; EDT is UTC-4.
    expect(callingHoursVerdict(nyc, at("2026-07-15T12:00:00Z")).ok).toBe(true); // 08:00
    expect(callingHoursVerdict(nyc, at("2026-07-15T11:59:00Z")).ok).toBe(false); // 07:59
    expect(callingHoursVerdict(nyc, at("2026-07-16T00:59:00Z")).ok).toBe(true); // 20:59
    expect(callingHoursVerdict(nyc, at("2026-07-16T01:00:00Z")).ok).toBe(false); // 21:00
    expect(callingHoursVerdict(miami, at("2026-07-16T00:00:00Z"))).toMatchObject({
      ok: false,
      code: "outside_calling_hours",
    }); // 20:00 in Florida
    expect(callingHoursVerdict(miami, at("2026-07-15T23:59:00Z"))).toMatchObject({
      ok: true,
      maxCallsPer24h: 3,
    });
  });

  it("follows daylight-saving changes", () => {
    // 8:00 New York is 13:00 UTC in winter (EST) and 12:00 UTC in summer (EDT).
    expect(callingHoursVerdict(nyc, at("2026-01-15T12:30:00Z")).ok).toBe(false); // 07:30 EST
    expect(callingHoursVerdict(nyc, at("2026-01-15T13:00:00Z")).ok).toBe(true);
    // The Sunday clocks spring forward (2026-03-08): 08:00 EDT is 12:00 UTC.
    expect(callingHoursVerdict(nyc, at("2026-03-08T12:00:00Z")).ok).toBe(true);
    expect(callingHoursVerdict(nyc, at("2026-03-08T11:59:00Z")).ok).toBe(false);
  });

  it("is allowed only when every possible zone allows it (850 spans Eastern and Central)", () => {
    const panhandle = calledParty({ areaCode: "850" });
    // 08:30 Eastern is 07:30 Central: refused.
    expect(callingHoursVerdict(panhandle, at("2026-07-15T12:30:00Z")).ok).toBe(false);
    expect(callingHoursVerdict(panhandle, at("2026-07-15T13:00:00Z")).ok).toBe(true);
  });

  it("applies Sunday bans", () => {
    const alabama = calledParty({ areaCode: "205" });
    expect(callingHoursVerdict(alabama, at("2026-07-19T16:00:00Z"))).toMatchObject({ ok: false }); // Sunday
    expect(callingHoursVerdict(alabama, at("2026-07-20T16:00:00Z")).ok).toBe(true);
  });

  it("picks rule versions by effective date", () => {
    const rules: CallingHoursRule[] = [
      { id: "us", state: "US", effectiveFrom: "2000-01-01", open: "08:00", close: "21:00" },
      {
        id: "xx-1",
        state: "XX",
        effectiveFrom: "2020-01-01",
        effectiveTo: "2025-01-01",
        open: "09:00",
        close: "21:00",
      },
      {
        id: "xx-2",
        state: "XX",
        effectiveFrom: "2025-01-01",
        open: "10:00",
        close: "18:00",
        maxCallsPer24h: 2,
      },
    ];
    expect(rulesInForce(["XX"], at("2024-06-01T00:00:00Z"), rules).map((r) => r.id)).toEqual(["us", "xx-1"]);
    expect(rulesInForce(["XX"], at("2025-06-01T00:00:00Z"), rules).map((r) => r.id)).toEqual(["us", "xx-2"]);
    expect(rulesInForce(["XX"], at("2019-06-01T00:00:00Z"), rules).map((r) => r.id)).toEqual(["us"]);
  });
});
