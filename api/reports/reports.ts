// Reports from the calls read model: calls, revenue and win rates grouped by campaign or by UTC hour,
// for one account's own calls (a seller's offered calls, a buyer's routed calls) or, for admins, all.
import { and, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { calls } from "../db/schema.ts";

export type ReportKind = "calls" | "revenue" | "win-rates";
export interface ReportScope {
  sellerId?: string;
  buyerId?: string;
}
export interface ReportOptions {
  groupBy: "campaign" | "hour";
  from?: string;
  to?: string;
}

const COLUMNS: Record<ReportKind, string[]> = {
  calls: ["offered", "routed", "completed", "billable", "avgDurationSec"],
  revenue: ["billable", "chargedMicros", "payoutMicros", "marginMicros"],
  "win-rates": ["offered", "routed", "noBid", "rejected", "winRate"],
};

export async function report(db: Db, kind: ReportKind, scope: ReportScope, opts: ReportOptions) {
  const filters: SQL[] = [];
  if (scope.sellerId) filters.push(eq(calls.sellerId, scope.sellerId));
  if (scope.buyerId) filters.push(eq(calls.buyerId, scope.buyerId));
  if (opts.from) filters.push(gte(calls.offeredAt, opts.from));
  if (opts.to) filters.push(lt(calls.offeredAt, opts.to));
  const group =
    opts.groupBy === "hour"
      ? sql<string>`to_char(date_trunc('hour', ${calls.offeredAt} at time zone 'UTC'), 'YYYY-MM-DD"T"HH24":00:00Z"')`
      : scope.buyerId
        ? sql<string>`coalesce(${calls.buyerCampaignId}, '')`
        : calls.sellerCampaignId;
  const rows = await db
    .select({
      key: sql<string>`${group}`,
      offered: sql<number>`count(*)::int`,
      routed: sql<number>`count(${calls.buyerId})::int`,
      noBid: sql<number>`(count(*) filter (where ${calls.status} = 'no_bid'))::int`,
      rejected: sql<number>`(count(*) filter (where ${calls.status} = 'rejected'))::int`,
      completed: sql<number>`(count(*) filter (where ${calls.status} = 'completed'))::int`,
      billable: sql<number>`(count(*) filter (where ${calls.billable}))::int`,
      avgDurationSec: sql<number>`coalesce(round(avg(${calls.durationSec})), 0)::int`,
      chargedMicros: sql<number>`coalesce(sum(${calls.chargedMicros}), 0)::bigint`,
      payoutMicros: sql<number>`coalesce(sum(${calls.payoutMicros}), 0)::bigint`,
    })
    .from(calls)
    .where(and(...filters))
    .groupBy(group)
    .orderBy(group)
    .limit(10_000);
  const keyName = opts.groupBy === "hour" ? "hour" : "campaignId";
  const items = rows.map((r) => {
    const charged = Number(r.chargedMicros);
    const payout = Number(r.payoutMicros);
    const all: Record<string, number | string> = {
      ...r,
      chargedMicros: charged,
      payoutMicros: payout,
      marginMicros: charged - payout,
      winRate: r.offered === 0 ? 0 : Math.round((r.routed / r.offered) * 10_000) / 10_000,
    };
    return Object.fromEntries([[keyName, r.key], ...COLUMNS[kind].map((c) => [c, all[c]!])]);
  });
  return { report: kind, groupBy: opts.groupBy, columns: [keyName, ...COLUMNS[kind]], items };
}

/** RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled. */
export function toCsv(columns: string[], items: Record<string, unknown>[]): string {
  const field = (v: unknown) => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return (
    [columns, ...items.map((i) => columns.map((c) => i[c]))].map((r) => r.map(field).join(",")).join("\r\n") +
    "\r\n"
  );
}
