// Tracking-number syntax: strict on the API, tolerant of a carrier's lost `+`, NANP rules both ways.
import { describe, expect, it } from "vitest";
import { checkTrackingNumber, normaliseDialled } from "./e164.ts";

describe("checkTrackingNumber", () => {
  it("accepts +1 and ten digits of a real NANP number", () => {
    expect(checkTrackingNumber("+12125551234")).toEqual({ ok: true, number: "+12125551234" });
  });

  it.each([
    ["no plus", "12125551234"],
    ["ten digits", "2125551234"],
    ["punctuation", "+1 (212) 555-1234"],
    ["too long", "+121255512345"],
    ["another country", "+442071234567"],
    ["area code starting with 1", "+11125551234"],
    ["exchange starting with 0", "+12120551234"],
    ["N11 area code", "+14115551234"],
    ["555 area code", "+15551234567"],
    ["fictional 555-01xx", "+12125550123"],
    ["not a string", 12125551234],
  ])("refuses %s", (_why, raw) => {
    expect(checkTrackingNumber(raw).ok).toBe(false);
  });
});

describe("normaliseDialled", () => {
  it.each([
    ["+12125551234", "+12125551234"],
    [" 12125551234", "+12125551234"],
    ["12125551234", "+12125551234"],
    ["2125551234", "+12125551234"],
  ])("reads %j as %s", (raw, e164) => {
    expect(normaliseDialled(raw)).toBe(e164);
  });

  it.each(["", "anonymous", "+1 212 555 1234", "+442071234567", "+15551234567", "+1212555123"])(
    "finds no number in %j",
    (raw) => {
      expect(normaliseDialled(raw)).toBeNull();
    },
  );
});
