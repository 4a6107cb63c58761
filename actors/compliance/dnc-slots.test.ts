import { describe, expect, it } from "vitest";
import { dncLineDigits, dncSlot, shardBitsFor, staleWarning } from "./dnc-slots.ts";

describe("DNC slots", () => {
  const hash = `ph_${"ffff0000"}${"000000000001"}${"ab".repeat(10)}`;
  it("takes the shard from the top bits and a 48-bit integer member", () => {
    expect(dncSlot(hash, 16)).toEqual({ shard: 0xffff, member: "1" });
    expect(dncSlot(hash, 4)).toEqual({ shard: 0xf, member: "1" });
  });

  it("sizes shards to about 256 numbers, within bounds", () => {
    expect(shardBitsFor(10)).toBe(4);
    expect(shardBitsFor(10_000_000)).toBe(16);
    expect(shardBitsFor(1e12)).toBe(20);
  });

  it.each([
    ["2025550123", "2025550123"],
    ["+1 (202) 555-0123", "2025550123"],
    ["12025550123", "2025550123"],
    ["202,5550123", "2025550123"],
    ['"2025550123","2026-11-01"', "2025550123"],
    ["phone_number,date", undefined],
    ["", undefined],
    ["1025550123", undefined],
    ["2021550123", undefined],
  ])("reads %j as %s", (line, digits) => {
    expect(dncLineDigits(line)).toBe(digits);
  });

  it("warns when a list is older than 31 days", () => {
    const now = Date.parse("2026-11-28T00:00:00Z");
    expect(staleWarning("national", "2026-10-28", now)).toBeUndefined();
    expect(staleWarning("national", "2026-10-27", now)).toMatch(/32 days ago/);
    expect(staleWarning("internal", null, now)).toBeUndefined();
  });
});
