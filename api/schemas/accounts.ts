// Request bodies for accounts and API keys.
import * as v from "valibot";
import { AccountId, IsoTime, Micros, Name, TimeZone } from "./common.ts";

export const CreateBuyer = v.object({
  name: Name,
  timezone: v.optional(TimeZone, "America/New_York"),
  creditLimitMicros: v.optional(Micros, 0),
});

export const CreateSeller = v.object({
  name: Name,
  timezone: v.optional(TimeZone, "America/New_York"),
});

export const CreateApiKey = v.object({
  accountId: v.nullish(AccountId),
  role: v.picklist(["admin", "buyer", "seller"]),
  /** The key stops working at this instant (must be in the future); absent: until revoked. */
  expiresAt: v.optional(IsoTime),
});

export const ListApiKeys = v.object({
  /** Whose keys: a partner's own account by default; admins name one (absent: the admin keys). */
  accountId: v.optional(AccountId),
});

/** The longest rotation overlap: a week. */
export const MAX_OVERLAP_SEC = 7 * 24 * 3600;

export const RotateApiKey = v.object({
  /** How long the old key keeps working beside the new one; 0 ends it now. Default one hour. */
  overlapSec: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_OVERLAP_SEC, "must be at most a week")),
    3600,
  ),
});

export const Deposit = v.object({
  amountMicros: v.pipe(
    Micros,
    v.minValue(1, "must be positive"),
    v.maxValue(1_000_000_000_000_000, "must be at most 1,000,000,000 in currency units per deposit"),
  ),
});
