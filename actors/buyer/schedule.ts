// Wall-clock time in a buyer's IANA zone: hours of operation and the period keys that reset caps.
import type { Schedule, Weekday } from "./buyer-api.ts";

/** Local calendar fields of one instant in one zone. `weekday` is 0 = Monday … 6 = Sunday. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

export const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MINUTE_MS = 60_000;
const TIME_PATTERN = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;

interface ZoneCache {
  format: Intl.DateTimeFormat;
  minute: number; // the epoch minute `last` was computed for
  last: LocalTime | undefined;
}
const zones = new Map<string, ZoneCache>();

function zoneCache(timezone: string): ZoneCache {
  let cache = zones.get(timezone);
  if (cache === undefined) {
    // Throws RangeError for an unknown zone: campaign upsert validates zones before they get here.
    const format = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    cache = { format, minute: Number.NaN, last: undefined };
    zones.set(timezone, cache);
  }
  return cache;
}

/** True when `timezone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timezone: string): boolean {
  try {
    zoneCache(timezone);
    return true;
  } catch {
    return false;
  }
}

/** Local time of `atMs` in `timezone`. Every zone offset in use is whole minutes, so results are cached per minute. */
export function localTime(timezone: string, atMs: number): Readonly<LocalTime> {
  const cache = zoneCache(timezone);
  const minute = Math.floor(atMs / MINUTE_MS);
  if (cache.minute === minute && cache.last !== undefined) return cache.last;
  const t: LocalTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, weekday: 0 };
  for (const part of cache.format.formatToParts(atMs)) {
    if (part.type === "year") t.year = Number(part.value);
    else if (part.type === "month") t.month = Number(part.value);
    else if (part.type === "day") t.day = Number(part.value);
    else if (part.type === "hour") t.hour = Number(part.value);
    else if (part.type === "minute") t.minute = Number(part.value);
  }
  // Date.UTC(...).getUTCDay() is 0 = Sunday; shift so 0 = Monday.
  t.weekday = (new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay() + 6) % 7;
  cache.minute = minute;
  cache.last = t;
  return t;
}

/** Minutes since midnight for "HH:MM" (00:00–23:59, or 24:00), or undefined when malformed. */
export function parseClock(value: string): number | undefined {
  const m = TIME_PATTERN.exec(value);
  if (m === null) return undefined;
  return m[1] === undefined ? 24 * 60 : Number(m[1]) * 60 + Number(m[2]);
}

/**
 * Whether the schedule is open at `atMs`, judged by the wall clock in the schedule's zone.
 * An interval whose close is before its open runs past midnight and belongs to the day it opens;
 * an interval whose close equals its open is empty. No schedule means always open.
 */
export function isOpen(schedule: Schedule | undefined, atMs: number): boolean {
  if (schedule === undefined) return true;
  const t = localTime(schedule.timezone, atMs);
  const now = t.hour * 60 + t.minute;
  const today = WEEKDAYS[t.weekday]!;
  const yesterday = WEEKDAYS[(t.weekday + 6) % 7]!;
  for (const interval of schedule.hours) {
    const open = parseClock(interval.open);
    const close = parseClock(interval.close);
    if (open === undefined || close === undefined) continue;
    if (open < close) {
      if (now >= open && now < close && interval.days.includes(today)) return true;
    } else if (close < open) {
      if (now >= open && interval.days.includes(today)) return true;
      if (now < close && interval.days.includes(yesterday)) return true;
    }
  }
  return false;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * Labels of the hour, day and month containing `atMs` on the local clock of `timezone`,
 * e.g. { hour: "2026-11-28T14", day: "2026-11-28", month: "2026-11" }. Periods follow the wall
 * clock: the day a clock falls back has 25 hours and its repeated hour shares one label; the day a
 * clock springs forward has 23 hours and the skipped hour has no label.
 */
export function periodKeys(timezone: string, atMs: number): { hour: string; day: string; month: string } {
  const t = localTime(timezone, atMs);
  const month = `${t.year}-${pad2(t.month)}`;
  const day = `${month}-${pad2(t.day)}`;
  return { hour: `${day}T${pad2(t.hour)}`, day, month };
}
