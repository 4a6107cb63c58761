// Query parameters for reports: grouping, time range, format and (admins) the account to report on.
import * as v from "valibot";
import { IsoTime } from "./common.ts";

export const ReportKind = v.picklist(["calls", "revenue", "win-rates"]);

export const ReportQuery = v.object({
  groupBy: v.optional(v.picklist(["campaign", "hour"]), "campaign"),
  from: v.optional(IsoTime),
  to: v.optional(IsoTime),
  format: v.optional(v.picklist(["json", "csv"]), "json"),
  accountId: v.optional(
    v.pipe(v.string(), v.regex(/^(byr|sel)_[0-9a-f]{28}$/, "must be a buyer or seller id")),
  ),
});
