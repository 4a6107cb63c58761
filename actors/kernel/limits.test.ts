import { describe, expect, it } from "vitest";
import { LIMIT_MEANINGS, LIMITS, limitIn, limitMessage, slotRefusal } from "./limits.ts";

describe("resource limits", () => {
  it("names a limit in its message and finds it again", () => {
    expect(limitMessage("campaign.zips")).toBe("must have at most 2000 entries (limit campaign.zips)");
    expect(limitMessage("text.name")).toBe("must have at most 200 characters (limit text.name)");
    expect(limitIn(limitMessage("campaign.zips"))).toEqual({ name: "campaign.zips", max: 2_000 });
    expect(limitIn("must be a 5-digit ZIP")).toBeUndefined();
    expect(limitIn("x (limit no.such)")).toBeUndefined();
  });

  it("refuses a new entry only when the map is full, and never a replacement", () => {
    const max = LIMITS["campaigns.perBuyer"];
    const held = Object.fromEntries(Array.from({ length: max - 1 }, (_, i) => [`c${i}`, {}]));
    expect(slotRefusal(held, "new", "campaigns.perBuyer")).toBeUndefined();
    const full = { ...held, last: {} };
    expect(slotRefusal(full, "c0", "campaigns.perBuyer")).toBeUndefined();
    expect(slotRefusal(full, "new", "campaigns.perBuyer")).toEqual({
      ok: false,
      reason: {
        code: "limit_exceeded",
        detail: `at most ${max} allowed (limit campaigns.perBuyer)`,
        limit: { name: "campaigns.perBuyer", max },
      },
    });
  });

  it("gives every limit a meaning for the documentation", () => {
    expect(Object.keys(LIMIT_MEANINGS).sort()).toEqual(Object.keys(LIMITS).sort());
  });
});
