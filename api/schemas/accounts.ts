// Request bodies for accounts and API keys.
import * as v from "valibot";
import { AccountId, Micros, Name, TimeZone } from "./common.ts";

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
});

export const Deposit = v.object({
  amountMicros: v.pipe(
    Micros,
    v.minValue(1, "must be positive"),
    v.maxValue(1_000_000_000_000_000, "must be at most 1,000,000,000 in currency units per deposit"),
  ),
});
