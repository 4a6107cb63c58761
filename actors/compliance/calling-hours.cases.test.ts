// Calling hours at fixed instants from the hand-checked acceptance cases in calling-hours.cases.json:
// both sides of every rule's boundaries, DST days and the Florida Panhandle. No wall clock anywhere.
import { describe, expect, it } from "vitest";
import { calledParty } from "./called-party.ts";
import cases from "./calling-hours.cases.json" with { type: "json" };
import { CALLING_HOURS_RULES, callingHoursVerdict } from "./calling-hours.ts";

interface Case {
  name: string;
  rule: string;
  given: { areaCode?: string; zip?: string; state?: string };
  refused: string[];
  allowed: string[];
}

const boundaries = cases.boundaries as Case[];

describe("calling hours at fixed instants (calling-hours.cases.json)", () => {
  it.each(boundaries.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const party = calledParty(c.given);
    for (const when of c.refused) {
      const v = callingHoursVerdict(party, Date.parse(when));
      expect({ when, v }).toMatchObject({ when, v: { ok: false, code: "outside_calling_hours" } });
      if (!v.ok) expect({ when, detail: v.detail.split(":")[0] }).toEqual({ when, detail: c.rule });
    }
    for (const when of c.allowed) {
      const v = callingHoursVerdict(party, Date.parse(when));
      expect({ when, ok: v.ok }).toEqual({ when, ok: true });
      if (v.ok) expect(v.rules).toContain(c.rule);
    }
  });

  it("has a case at both sides of the opening or the closing of every rule in the data", () => {
    for (const rule of CALLING_HOURS_RULES) {
      const own = boundaries.filter((c) => c.rule === rule.id);
      expect({ rule: rule.id, refused: own.some((c) => c.refused.length > 0) }).toEqual({
        rule: rule.id,
        refused: true,
      });
      expect({ rule: rule.id, allowed: own.some((c) => c.allowed.length > 0) }).toEqual({
        rule: rule.id,
        allowed: true,
      });
    }
  });

  it("carries the 3-per-24 h cap of Florida, Oklahoma and Maryland, and none for New York", () => {
    const open = Date.parse("2026-07-15T16:00:00Z"); // 12:00 EDT, 11:00 CDT
    for (const facts of [
      { areaCode: "305", zip: "33101", state: "FL" },
      { areaCode: "405", state: "OK" },
      { areaCode: "410", state: "MD" },
      { zip: "32501", state: "FL" },
    ]) {
      expect(callingHoursVerdict(calledParty(facts), open)).toMatchObject({ ok: true, maxCallsPer24h: 3 });
    }
    const ny = callingHoursVerdict(calledParty({ areaCode: "212", state: "NY" }), open);
    expect(ny).toEqual({ ok: true, rules: ["us-federal-2003"] });
  });
});
