// A campaign's live counters: period windows keyed on the buyer's clock, the cap checks and the count updates.
import type { Micros } from "../kernel/money.ts";
import { type Refused, refuse } from "../kernel/result.ts";
import type { CampaignCounters, Caps } from "./buyer-api.ts";

export interface PeriodKeys {
  hour: string;
  day: string;
  month: string;
}

export function emptyCounters(keys: PeriodKeys): CampaignCounters {
  return {
    inFlight: 0,
    hour: { key: keys.hour, calls: 0 },
    day: { key: keys.day, calls: 0, spendMicros: 0 },
    month: { key: keys.month, calls: 0 },
    lifetime: 0,
  };
}

/** The counters as they stand in the periods `keys`: a window labelled with another period counts as zero. */
export function currentCounters(counters: CampaignCounters | undefined, keys: PeriodKeys): CampaignCounters {
  if (counters === undefined) return emptyCounters(keys);
  const { hour, day, month } = counters;
  if (hour.key === keys.hour && day.key === keys.day && month.key === keys.month) return counters;
  return {
    inFlight: counters.inFlight,
    hour: hour.key === keys.hour ? hour : { key: keys.hour, calls: 0 },
    day: day.key === keys.day ? day : { key: keys.day, calls: 0, spendMicros: 0 },
    month: month.key === keys.month ? month : { key: keys.month, calls: 0 },
    lifetime: counters.lifetime,
  };
}

/** The first cap that taking one more call at `priceMicros` would break, in the contract's order; undefined if none. */
export function capRefusal(caps: Caps, now: CampaignCounters, priceMicros: Micros): Refused | undefined {
  if (caps.concurrency !== undefined && now.inFlight >= caps.concurrency) {
    return refuse("cap_concurrency", `${now.inFlight} live calls, cap ${caps.concurrency}`);
  }
  if (caps.hourly !== undefined && now.hour.calls >= caps.hourly) {
    return refuse("cap_hourly", `${now.hour.calls} calls in hour ${now.hour.key}, cap ${caps.hourly}`);
  }
  if (caps.daily !== undefined && now.day.calls >= caps.daily) {
    return refuse("cap_daily", `${now.day.calls} calls on ${now.day.key}, cap ${caps.daily}`);
  }
  if (caps.monthly !== undefined && now.month.calls >= caps.monthly) {
    return refuse("cap_monthly", `${now.month.calls} calls in ${now.month.key}, cap ${caps.monthly}`);
  }
  if (caps.lifetime !== undefined && now.lifetime >= caps.lifetime) {
    return refuse("cap_lifetime", `${now.lifetime} calls, cap ${caps.lifetime}`);
  }
  if (caps.dailySpendMicros !== undefined && now.day.spendMicros + priceMicros > caps.dailySpendMicros) {
    return refuse(
      "cap_daily_spend",
      `spent ${now.day.spendMicros} + ${priceMicros} on ${now.day.key} exceeds cap ${caps.dailySpendMicros}`,
    );
  }
  return undefined;
}

/** Counters after routing one more call at `priceMicros`: a live slot, one call in every period, the day's spend. */
export function countReserved(
  counters: CampaignCounters | undefined,
  keys: PeriodKeys,
  priceMicros: Micros,
): CampaignCounters {
  const now = currentCounters(counters, keys);
  return {
    inFlight: now.inFlight + 1,
    hour: { key: now.hour.key, calls: now.hour.calls + 1 },
    day: { key: now.day.key, calls: now.day.calls + 1, spendMicros: now.day.spendMicros + priceMicros },
    month: { key: now.month.key, calls: now.month.calls + 1 },
    lifetime: now.lifetime + 1,
  };
}

/**
 * Counters after a reservation ends: the live slot is freed. An unbilled call also gives back its spend,
 * but only to the day window it was counted in (`reservedDayKey`); call counts stay, since caps count routed calls.
 */
export function countEnded(
  counters: CampaignCounters,
  reservedDayKey: string,
  priceMicros: Micros,
  billed: boolean,
  slotHeld = true,
): CampaignCounters {
  const refund = !billed && counters.day.key === reservedDayKey;
  return {
    ...counters,
    inFlight: slotHeld ? Math.max(0, counters.inFlight - 1) : counters.inFlight,
    day: refund
      ? { ...counters.day, spendMicros: Math.max(0, counters.day.spendMicros - priceMicros) }
      : counters.day,
  };
}
