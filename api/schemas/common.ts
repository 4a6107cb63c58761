// Shared valibot building blocks for the partner API.
import * as v from "valibot";
import { LIMITS, type LimitName, limitMessage } from "../../actors/kernel/limits.ts";

/**
 * A named limit on a string's or an array's length (maxLength/maxItems in the OpenAPI document). `check`
 * in api/validate.ts answers its issue with a 400 `limit_exceeded` naming the limit.
 */
export const atMost = <T extends string | unknown[]>(name: LimitName) =>
  v.maxLength<T, number, string>(LIMITS[name], limitMessage(name));

export const Micros = v.pipe(v.number(), v.safeInteger("must be an integer of micro-units"), v.minValue(0));
export const PositiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));
export const NonNegativeInt = v.pipe(v.number(), v.integer(), v.minValue(0));
export const Name = v.pipe(v.string(), v.trim(), v.minLength(1), atMost("text.name"));
export const TimeZone = v.pipe(
  v.string(),
  atMost("text.timezone"),
  v.check((tz) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "must be an IANA time zone such as America/New_York"),
);
export const StateCode = v.pipe(
  v.string(),
  v.toUpperCase(),
  v.regex(/^[A-Z]{2}$/, "must be a two-letter state code"),
);
export const Vertical = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.regex(/^[a-z0-9_-]{1,64}$/, "must be a short slug"),
);
export const Tag = v.pipe(v.string(), v.trim(), v.minLength(1), atMost("text.tag"));
export const AccountId = v.pipe(
  v.string(),
  v.regex(/^(byr|sel)_[0-9a-f]{28}$/, "must be a buyer or seller id"),
);
/** ISO 8601 with an offset Postgres accepts (within ±15:59), so a valid query never fails in the database. */
export const IsoTime = v.pipe(
  v.string(),
  v.isoTimestamp("must be an ISO 8601 timestamp"),
  v.regex(/(Z|[+-](0[0-9]|1[0-5]):?[0-5][0-9])$/, "must have an offset within ±15:59"),
  v.check(
    (s) => Number.isFinite(Date.parse(s)) && Date.parse(s) >= Date.parse("1970-01-01T00:00:00Z"),
    "must be after 1970",
  ),
);
