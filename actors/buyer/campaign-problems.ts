// Every problem with a buyer campaign, each with its field path, so the API can answer one 400 listing them all.
import { LIMITS, type LimitName, limitMessage as overLimit, RANGES } from "../kernel/limits.ts";
import { isMicros } from "../kernel/money.ts";
import type { BuyerCampaign, Caps, Schedule } from "./buyer-api.ts";
import { isValidTimeZone, parseClock, WEEKDAYS } from "./schedule.ts";

export interface CampaignProblem {
  field: string;
  message: string;
}

const STATE = /^[A-Z]{2}$/;
const ZIP = /^\d{5}$/;
const AREA_CODE = /^\d{3}$/;
const E164_NANP = /^\+1\d{10}$/;
const SIP_URI = /^sips?:\S+$/;
const CAP_NAMES = ["concurrency", "hourly", "daily", "monthly", "lifetime", "dailySpendMicros"] as const;

const isNonNegativeInt = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isPositiveInt = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0;
const isText = (v: unknown): boolean => typeof v === "string" && v.trim().length > 0;
const tooLong = (v: unknown, name: LimitName): boolean => typeof v === "string" && v.length > LIMITS[name];

/** The problems with a campaign; an empty list means it is valid. */
export function campaignProblems(c: BuyerCampaign): CampaignProblem[] {
  const problems: CampaignProblem[] = [];
  const add = (field: string, message: string): void => {
    problems.push({ field, message });
  };
  if (!isText(c.id)) add("id", "must be a non-empty string");
  if (!isText(c.name)) add("name", "must be a non-empty string");
  else if (tooLong(c.name, "text.name")) add("name", overLimit("text.name"));
  if (c.status !== "active" && c.status !== "paused") add("status", 'must be "active" or "paused"');
  if (!isText(c.vertical)) add("vertical", "must be a non-empty string");
  if (!isMicros(c.bidMicros) || c.bidMicros < 0)
    add("bidMicros", "must be a non-negative integer of micro-units");
  if (!isNonNegativeInt(c.minDurationSec)) add("minDurationSec", "must be a non-negative integer");
  if (!isNonNegativeInt(c.priority)) add("priority", "must be a non-negative integer");
  if (!isNonNegativeInt(c.weight)) add("weight", "must be a non-negative integer");
  if (!isNonNegativeInt(c.duplicateWindowDays) || c.duplicateWindowDays > RANGES.duplicateWindowDays.max)
    add("duplicateWindowDays", `must be an integer from 0 to ${RANGES.duplicateWindowDays.max}`);
  listProblems(add, "states", c.states, STATE, "must be a two-letter upper-case state code", true);
  listProblems(add, "zips", c.zips, ZIP, "must be a 5-digit ZIP code", false);
  listProblems(add, "areaCodes", c.areaCodes, AREA_CODE, "must be a 3-digit area code", false);
  listProblems(add, "tags", c.tags, /\S/, "must be a non-empty string", false);
  for (const t of c.tags ?? []) if (tooLong(t, "text.tag")) add("tags", overLimit("text.tag"));
  destinationProblems(add, c.destination);
  if (c.schedule !== undefined) scheduleProblems(add, c.schedule);
  capsProblems(add, c.caps);
  if (c.rtb !== undefined) {
    if (typeof c.rtb.url !== "string" || !/^https?:\/\/\S+$/.test(c.rtb.url))
      add("rtb.url", "must be an http(s) URL");
    else if (tooLong(c.rtb.url, "text.url")) add("rtb.url", overLimit("text.url"));
    const { min, max } = RANGES.rtbTimeoutMs;
    if (!isPositiveInt(c.rtb.timeoutMs) || c.rtb.timeoutMs < min || c.rtb.timeoutMs > max)
      add("rtb.timeoutMs", `must be an integer from ${min} to ${max}`);
  }
  return problems;
}

type Add = (field: string, message: string) => void;

function listProblems(
  add: Add,
  field: string,
  list: unknown,
  item: RegExp,
  message: string,
  required: boolean,
): void {
  if (list === undefined && !required) return;
  if (!Array.isArray(list)) {
    add(field, "must be a list");
    return;
  }
  const limit = `campaign.${field}` as LimitName;
  if (list.length > LIMITS[limit]) {
    add(field, overLimit(limit));
    return;
  }
  list.forEach((value, i) => {
    if (typeof value !== "string" || !item.test(value)) add(`${field}[${i}]`, message);
  });
}

function destinationProblems(add: Add, destination: BuyerCampaign["destination"] | undefined): void {
  const { number, sip } = destination ?? {};
  if (number === undefined && sip === undefined) {
    add("destination", "needs a number or a sip URI");
    return;
  }
  if (number !== undefined && (typeof number !== "string" || !E164_NANP.test(number))) {
    add("destination.number", "must be an E.164 NANP number: +1 and 10 digits");
  }
  if (sip !== undefined && (typeof sip !== "string" || !SIP_URI.test(sip))) {
    add("destination.sip", 'must be a SIP URI starting with "sip:"');
  } else if (tooLong(sip, "text.sip")) add("destination.sip", overLimit("text.sip"));
}

function scheduleProblems(add: Add, schedule: Schedule): void {
  if (typeof schedule.timezone !== "string" || !isValidTimeZone(schedule.timezone)) {
    add("schedule.timezone", "must be an IANA time zone, e.g. America/New_York");
  }
  if (!Array.isArray(schedule.hours)) {
    add("schedule.hours", "must be a list");
    return;
  }
  if (schedule.hours.length > LIMITS["campaign.schedule.hours"]) {
    add("schedule.hours", overLimit("campaign.schedule.hours"));
    return;
  }
  schedule.hours.forEach((interval, i) => {
    const at = `schedule.hours[${i}]`;
    if (!Array.isArray(interval.days) || interval.days.length === 0)
      add(`${at}.days`, "must list at least one day");
    else if (interval.days.length > LIMITS["campaign.schedule.days"])
      add(`${at}.days`, overLimit("campaign.schedule.days"));
    else if (!interval.days.every((d) => WEEKDAYS.includes(d))) add(`${at}.days`, "days are mon, tue, … sun");
    const open = parseClock(interval.open);
    const close = parseClock(interval.close);
    if (open === undefined || open === 24 * 60) add(`${at}.open`, "must be HH:MM between 00:00 and 23:59");
    if (close === undefined) add(`${at}.close`, "must be HH:MM between 00:00 and 24:00");
    else if (open === close) add(`${at}.close`, "must differ from open (use 00:00 to 24:00 for a whole day)");
  });
}

function capsProblems(add: Add, caps: Caps | undefined): void {
  if (caps === undefined || caps === null || typeof caps !== "object") {
    add("caps", "must be an object (use {} for no caps)");
    return;
  }
  for (const name of CAP_NAMES) {
    const value = caps[name];
    if (value !== undefined && !isPositiveInt(value))
      add(`caps.${name}`, "must be a positive integer when set");
  }
}
