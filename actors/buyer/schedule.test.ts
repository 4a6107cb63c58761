// Hours of operation and period keys on the buyer's wall clock, including US DST changes.
import { describe, expect, it } from "vitest";
import type { Schedule } from "./buyer-api.ts";
import { isOpen, isValidTimeZone, localTime, parseClock, periodKeys } from "./schedule.ts";

const at = (iso: string): number => Date.parse(iso);
const NY = "America/New_York";
const weekdays: Schedule = {
  timezone: NY,
  hours: [{ days: ["mon", "tue", "wed", "thu", "fri"], open: "09:00", close: "17:00" }],
};

describe("isOpen", () => {
  it("treats an absent schedule as always open", () => {
    expect(isOpen(undefined, at("2026-11-28T03:00:00Z"))).toBe(true);
  });

  it("opens at `open` and closes at `close` on the listed days, in the schedule's zone", () => {
    // Monday 2026-11-30, EST (UTC-5).
    expect(isOpen(weekdays, at("2026-11-30T13:59:00Z"))).toBe(false); // 08:59
    expect(isOpen(weekdays, at("2026-11-30T14:00:00Z"))).toBe(true); // 09:00
    expect(isOpen(weekdays, at("2026-11-30T21:59:59Z"))).toBe(true); // 16:59:59
    expect(isOpen(weekdays, at("2026-11-30T22:00:00Z"))).toBe(false); // 17:00
    // Saturday 2026-11-28 at 12:00 local.
    expect(isOpen(weekdays, at("2026-11-28T17:00:00Z"))).toBe(false);
  });

  it("accepts 24:00 as the end of the day", () => {
    const allDay: Schedule = { timezone: NY, hours: [{ days: ["sat"], open: "00:00", close: "24:00" }] };
    expect(isOpen(allDay, at("2026-11-28T05:00:00Z"))).toBe(true); // Sat 00:00
    expect(isOpen(allDay, at("2026-11-29T04:59:00Z"))).toBe(true); // Sat 23:59
    expect(isOpen(allDay, at("2026-11-29T05:00:00Z"))).toBe(false); // Sun 00:00
  });

  it("runs an interval whose close is before its open past midnight, on the day it opens", () => {
    const lateFriday: Schedule = { timezone: NY, hours: [{ days: ["fri"], open: "22:00", close: "02:00" }] };
    expect(isOpen(lateFriday, at("2026-12-05T02:59:00Z"))).toBe(false); // Fri 21:59
    expect(isOpen(lateFriday, at("2026-12-05T04:00:00Z"))).toBe(true); // Fri 23:00
    expect(isOpen(lateFriday, at("2026-12-05T06:30:00Z"))).toBe(true); // Sat 01:30
    expect(isOpen(lateFriday, at("2026-12-05T07:00:00Z"))).toBe(false); // Sat 02:00
    expect(isOpen(lateFriday, at("2026-12-04T06:00:00Z"))).toBe(false); // Fri 01:00 belongs to Thursday
  });

  it("wraps Sunday night into Monday morning", () => {
    const sundayNight: Schedule = { timezone: NY, hours: [{ days: ["sun"], open: "22:00", close: "06:00" }] };
    expect(isOpen(sundayNight, at("2026-11-30T08:00:00Z"))).toBe(true); // Mon 03:00
    expect(isOpen(sundayNight, at("2026-12-01T08:00:00Z"))).toBe(false); // Tue 03:00
  });

  it("treats an interval with equal open and close as empty", () => {
    const empty: Schedule = { timezone: NY, hours: [{ days: ["mon"], open: "09:00", close: "09:00" }] };
    expect(isOpen(empty, at("2026-11-30T14:00:00Z"))).toBe(false);
  });

  it("follows the wall clock on the spring-forward day (02:00–02:59 does not exist)", () => {
    // Sunday 2026-03-08: 01:59 EST (06:59Z) is followed by 03:00 EDT (07:00Z).
    const night: Schedule = { timezone: NY, hours: [{ days: ["sun"], open: "02:30", close: "04:00" }] };
    expect(isOpen(night, at("2026-03-08T06:59:00Z"))).toBe(false); // 01:59
    expect(isOpen(night, at("2026-03-08T07:00:00Z"))).toBe(true); // 03:00
    expect(isOpen(night, at("2026-03-08T08:00:00Z"))).toBe(false); // 04:00
    const skipped: Schedule = { timezone: NY, hours: [{ days: ["sun"], open: "02:00", close: "03:00" }] };
    expect(isOpen(skipped, at("2026-03-08T06:59:00Z"))).toBe(false);
    expect(isOpen(skipped, at("2026-03-08T07:00:00Z"))).toBe(false);
  });

  it("is open for both passes of the repeated hour on the fall-back day", () => {
    // Sunday 2026-11-01: 01:30 EDT is 05:30Z, 01:30 EST is 06:30Z.
    const early: Schedule = { timezone: NY, hours: [{ days: ["sun"], open: "01:00", close: "02:00" }] };
    expect(isOpen(early, at("2026-11-01T05:30:00Z"))).toBe(true);
    expect(isOpen(early, at("2026-11-01T06:30:00Z"))).toBe(true);
    expect(isOpen(early, at("2026-11-01T07:00:00Z"))).toBe(false); // 02:00 EST
  });

  it("uses a zone without DST as-is all year (Phoenix, Honolulu)", () => {
    const phoenix: Schedule = {
      timezone: "America/Phoenix",
      hours: [{ days: ["mon"], open: "09:00", close: "10:00" }],
    };
    expect(isOpen(phoenix, at("2026-03-09T16:00:00Z"))).toBe(true); // 09:00 MST; New York is already on EDT
    expect(isOpen(phoenix, at("2026-11-30T16:00:00Z"))).toBe(true); // 09:00 MST
    const honolulu: Schedule = {
      timezone: "Pacific/Honolulu",
      hours: [{ days: ["sat"], open: "00:00", close: "01:00" }],
    };
    expect(isOpen(honolulu, at("2026-11-28T10:00:00Z"))).toBe(true); // Sat 00:00 HST
    expect(isOpen(honolulu, at("2026-11-28T09:59:00Z"))).toBe(false); // Fri 23:59 HST
  });

  it("throws RangeError for an unknown time zone", () => {
    expect(() => isOpen({ timezone: "Mars/Olympus", hours: [] }, 0)).toThrow(RangeError);
  });
});

describe("periodKeys", () => {
  it("labels hour, day and month on the local clock", () => {
    expect(periodKeys(NY, at("2026-11-28T19:30:00Z"))).toEqual({
      hour: "2026-11-28T14",
      day: "2026-11-28",
      month: "2026-11",
    });
    expect(periodKeys(NY, at("2026-12-01T04:59:00Z")).month).toBe("2026-11");
    expect(periodKeys(NY, at("2026-12-01T05:00:00Z"))).toEqual({
      hour: "2026-12-01T00",
      day: "2026-12-01",
      month: "2026-12",
    });
  });

  it("skips the missing hour on the spring-forward day and keeps the day at 23 hours", () => {
    expect(periodKeys(NY, at("2026-03-08T05:00:00Z")).day).toBe("2026-03-08"); // local midnight (EST)
    expect(periodKeys(NY, at("2026-03-08T06:59:00Z")).hour).toBe("2026-03-08T01");
    expect(periodKeys(NY, at("2026-03-08T07:00:00Z")).hour).toBe("2026-03-08T03");
    expect(periodKeys(NY, at("2026-03-09T03:59:00Z")).day).toBe("2026-03-08");
    expect(periodKeys(NY, at("2026-03-09T04:00:00Z")).day).toBe("2026-03-09"); // midnight (EDT), 23 h later
  });

  it("gives both passes of the repeated hour one label and keeps the day at 25 hours", () => {
    expect(periodKeys(NY, at("2026-11-01T05:30:00Z")).hour).toBe("2026-11-01T01"); // 01:30 EDT
    expect(periodKeys(NY, at("2026-11-01T06:30:00Z")).hour).toBe("2026-11-01T01"); // 01:30 EST
    expect(periodKeys(NY, at("2026-11-01T07:00:00Z")).hour).toBe("2026-11-01T02");
    expect(periodKeys(NY, at("2026-11-01T04:00:00Z")).day).toBe("2026-11-01"); // midnight (EDT)
    expect(periodKeys(NY, at("2026-11-02T04:59:00Z")).day).toBe("2026-11-01");
    expect(periodKeys(NY, at("2026-11-02T05:00:00Z")).day).toBe("2026-11-02"); // midnight (EST), 25 h later
  });

  it("computes Phoenix and Honolulu keys without DST", () => {
    expect(periodKeys("America/Phoenix", at("2026-07-01T06:59:00Z")).day).toBe("2026-06-30");
    expect(periodKeys("America/Phoenix", at("2026-07-01T07:00:00Z")).day).toBe("2026-07-01");
    expect(periodKeys("America/Phoenix", at("2026-01-01T07:00:00Z")).day).toBe("2026-01-01");
    expect(periodKeys("Pacific/Honolulu", at("2026-11-28T09:59:00Z")).hour).toBe("2026-11-27T23");
    expect(periodKeys("Pacific/Honolulu", at("2026-11-28T10:00:00Z")).hour).toBe("2026-11-28T00");
  });

  it("never returns a stale cached value across minutes or zones", () => {
    const t = at("2026-11-28T19:59:59Z");
    expect(periodKeys(NY, t).hour).toBe("2026-11-28T14");
    expect(periodKeys(NY, t + 1000).hour).toBe("2026-11-28T15");
    expect(periodKeys("UTC", t + 1000).hour).toBe("2026-11-28T20");
    expect(periodKeys(NY, t).hour).toBe("2026-11-28T14");
    expect(localTime(NY, at("2026-11-28T19:00:30Z")).minute).toBe(0);
    expect(localTime(NY, at("2026-11-28T19:37:00Z")).minute).toBe(37);
    expect(localTime(NY, t)).toEqual({ year: 2026, month: 11, day: 28, hour: 14, minute: 59, weekday: 5 });
  });

  it("throws RangeError for an unknown time zone", () => {
    expect(() => periodKeys("Not/AZone", 0)).toThrow(RangeError);
    expect(isValidTimeZone("Not/AZone")).toBe(false);
    expect(isValidTimeZone("America/Phoenix")).toBe(true);
  });
});

describe("parseClock", () => {
  it.each([
    ["00:00", 0],
    ["09:30", 570],
    ["23:59", 1439],
    ["24:00", 1440],
    ["24:01", undefined],
    ["9:00", undefined],
    ["12:60", undefined],
    ["", undefined],
  ])("parses %j as %j", (value, minutes) => {
    expect(parseClock(value)).toBe(minutes);
  });
});
