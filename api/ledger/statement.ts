// Monthly statements per account: opening balance, every movement in the month, closing balance.
// Months are calendar months in UTC; amounts are shown from the account holder's side.
import { and, asc, eq, gte, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { ledgerEntries, ledgerPostings } from "../db/ledger-schema.ts";
import { CASH } from "./postings.ts";

export interface Statement {
  accountId: string;
  month: string;
  from: string;
  to: string;
  openingBalanceMicros: number;
  closingBalanceMicros: number;
  lines: {
    occurredAt: string;
    postingId: string;
    kind: string;
    reference: string;
    memo: string | null;
    amountMicros: number;
    balanceMicros: number;
  }[];
}

export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return {
    from: new Date(Date.UTC(y, m - 1, 1)).toISOString(),
    to: new Date(Date.UTC(y, m, 1)).toISOString(),
  };
}

export async function statement(
  db: Db,
  accountId: string,
  ledgerAccount: string,
  month: string,
): Promise<Statement> {
  const { from, to } = monthRange(month);
  const sign = ledgerAccount === CASH ? 1 : -1;
  const [opening] = await db
    .select({ sum: sql<string>`coalesce(sum(${ledgerEntries.amountMicros}), 0)` })
    .from(ledgerEntries)
    .innerJoin(ledgerPostings, eq(ledgerEntries.postingId, ledgerPostings.id))
    .where(and(eq(ledgerEntries.accountId, ledgerAccount), lt(ledgerPostings.occurredAt, from)));
  const rows = await db
    .select({
      occurredAt: ledgerPostings.occurredAt,
      postingId: ledgerPostings.id,
      kind: ledgerPostings.kind,
      reference: ledgerPostings.reference,
      memo: ledgerPostings.memo,
      amountMicros: ledgerEntries.amountMicros,
    })
    .from(ledgerEntries)
    .innerJoin(ledgerPostings, eq(ledgerEntries.postingId, ledgerPostings.id))
    .where(
      and(
        eq(ledgerEntries.accountId, ledgerAccount),
        gte(ledgerPostings.occurredAt, from),
        lt(ledgerPostings.occurredAt, to),
      ),
    )
    .orderBy(asc(ledgerPostings.occurredAt), asc(ledgerEntries.id));
  let balance = sign * Number(opening?.sum ?? 0);
  const openingBalanceMicros = balance;
  const lines = rows.map((r) => {
    balance += sign * r.amountMicros;
    return {
      ...r,
      occurredAt: new Date(r.occurredAt).toISOString(),
      amountMicros: sign * r.amountMicros,
      balanceMicros: balance,
    };
  });
  return { accountId, month, from, to, openingBalanceMicros, closingBalanceMicros: balance, lines };
}

const csvField = (v: string | number | null) => {
  const s = v === null ? "" : String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

type Line = Statement["lines"][number] & { availability?: string; availableAt?: string };

/** CSV of a statement; a seller's (`held`) has two more columns: each charge's availability and when. */
export function statementCsv(s: Omit<Statement, "lines"> & { lines: Line[] }, held = false): string {
  const more = held ? ["", ""] : [];
  const head = `occurred_at,posting_id,kind,reference,memo,amount_micros,balance_micros${held ? ",availability,available_at" : ""}`;
  const open = ["", "", "opening_balance", "", "", "", s.openingBalanceMicros, ...more]
    .map(csvField)
    .join(",");
  const body = s.lines.map((l) =>
    [
      l.occurredAt,
      l.postingId,
      l.kind,
      l.reference,
      l.memo,
      l.amountMicros,
      l.balanceMicros,
      ...(held ? [l.availability ?? "", l.availableAt ?? ""] : []),
    ]
      .map(csvField)
      .join(","),
  );
  const close = ["", "", "closing_balance", "", "", "", s.closingBalanceMicros, ...more]
    .map(csvField)
    .join(",");
  return `${[head, open, ...body, close].join("\r\n")}\r\n`;
}
