import { describe, expect, it } from "vitest";
import { checkNanpNumber } from "./phone.ts";

describe("checkNanpNumber", () => {
  it.each([
    ["+13059871234", "+13059871234", "305"],
    ["13059871234", "+13059871234", "305"],
    ["(305) 987-1234", "+13059871234", "305"],
    ["305.987.1234", "+13059871234", "305"],
    ["+1 416 987 1234", "+14169871234", "416"],
  ])("normalises %s to E.164", (raw, e164, areaCode) => {
    expect(checkNanpNumber(raw)).toEqual({ ok: true, e164, areaCode });
  });

  it.each(["anonymous", "Restricted", "", "  ", "unavailable", undefined, null])(
    "treats %j as withheld",
    (raw) => {
      expect(checkNanpNumber(raw)).toMatchObject({ ok: false, code: "anonymous_caller" });
    },
  );

  it.each([
    ["+12059871234x", "letters"],
    ["+4420794600000", "not NANP"],
    ["+1305987123", "9 digits"],
    ["+10059871234", "area code starting 0"],
    ["+11059871234", "area code starting 1"],
    ["+13050871234", "exchange starting 0"],
    ["+13051871234", "exchange starting 1"],
    ["+14119871234", "N11 area code"],
    ["+15559871234", "555 area code"],
    ["+13055550123", "fictional 555-01XX"],
  ])("rejects %s (%s)", (raw) => {
    expect(checkNanpNumber(raw)).toMatchObject({ ok: false, code: "invalid_caller_number" });
  });

  it("accepts 555 exchanges outside the fictional block", () => {
    expect(checkNanpNumber("+13055551234")).toMatchObject({ ok: true });
  });
});
