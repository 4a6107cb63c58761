// Calling-hours rules as versioned data: which rules are in force on a date, and whether a call to a
// called party (every state and zone it may be in) is allowed now. Pure: the clock is an argument.
import { localTime, parseClock, WEEKDAYS } from "../buyer/schedule.ts";
import type { CalledParty } from "./called-party.ts";
import data from "./data/calling-hours.json" with { type: "json" };

export interface CallingHoursRule {
  id: string;
  state: string; // "US" for the federal rule
  effectiveFrom: string; // YYYY-MM-DD, inclusive
  effectiveTo?: string; // YYYY-MM-DD, exclusive
  open: string; // HH:MM local time of the called party
  close: string;
  closedDays?: string[];
  maxCallsPer24h?: number;
}

export const CALLING_HOURS_VERSION = data.version;
export const CALLING_HOURS_RULES: readonly CallingHoursRule[] = data.rules;

/** The rules in force at `atMs` for these states (the federal rule always), newest version per state. */
export function rulesInForce(
  states: readonly string[],
  atMs: number,
  rules: readonly CallingHoursRule[] = CALLING_HOURS_RULES,
): CallingHoursRule[] {
  const day = new Date(atMs).toISOString().slice(0, 10);
  const wanted = new Set(["US", ...states]);
  const newest = new Map<string, CallingHoursRule>();
  for (const r of rules) {
    if (!wanted.has(r.state) || r.effectiveFrom > day || (r.effectiveTo && r.effectiveTo <= day)) continue;
    const prior = newest.get(r.state);
    if (!prior || prior.effectiveFrom < r.effectiveFrom) newest.set(r.state, r);
  }
  return [...newest.values()];
}

export type HoursVerdict =
  | { ok: true; maxCallsPer24h?: number; rules: string[] }
  | { ok: false; code: "outside_calling_hours"; detail: string };

/** Allowed only if every rule in force allows the call in every zone the called party may be in. */
export function callingHoursVerdict(
  party: CalledParty,
  atMs: number,
  rules: readonly CallingHoursRule[] = CALLING_HOURS_RULES,
): HoursVerdict {
  const inForce = rulesInForce(party.states, atMs, rules);
  for (const zone of party.zones) {
    const t = localTime(zone, atMs);
    const minute = t.hour * 60 + t.minute;
    const weekday = WEEKDAYS[t.weekday]!;
    for (const r of inForce) {
      const open = parseClock(r.open) ?? 0;
      const close = parseClock(r.close) ?? 24 * 60;
      const clock = `${String(t.hour).padStart(2, "0")}:${String(t.minute).padStart(2, "0")}`;
      if (r.closedDays?.includes(weekday)) {
        return refusal(`${r.id}: no calls on ${weekday} (${weekday} ${clock} in ${zone})`);
      }
      if (minute < open || minute >= close) {
        return refusal(`${r.id}: calls only ${r.open}-${r.close}; it is ${clock} in ${zone}`);
      }
    }
  }
  const caps = inForce.map((r) => r.maxCallsPer24h).filter((n): n is number => n !== undefined);
  return {
    ok: true,
    rules: inForce.map((r) => r.id).sort(),
    ...(caps.length ? { maxCallsPer24h: Math.min(...caps) } : {}),
  };
}

const refusal = (detail: string): HoursVerdict => ({ ok: false, code: "outside_calling_hours", detail });
