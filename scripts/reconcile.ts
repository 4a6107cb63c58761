// `npm run reconcile [-- --since <iso time>]`: asks the running exchange to compare every buyer actor's
// balance with the ledger, prints the report, and exits 1 on any drift or an unbalanced ledger.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const api = process.env.DCE_API_URL ?? "http://127.0.0.1:8080";
/** The admin key, read when needed: on a fresh machine the stack writes secrets.env only when it starts. */
function adminKey(): string | undefined {
  if (process.env.DCE_ADMIN_API_KEY) return process.env.DCE_ADMIN_API_KEY;
  const file = join(process.env.DCE_STATE_DIR ?? join(root, ".data"), "secrets.env");
  return /^DCE_ADMIN_API_KEY=(.+)$/m.exec(readFileSync(file, "utf8"))?.[1];
}
const sinceAt = process.argv.indexOf("--since");
const query = sinceAt > 0 ? `?since=${encodeURIComponent(process.argv[sinceAt + 1] ?? "")}` : "";

export interface ReconReport {
  checkedBuyers: number;
  drift: { buyerId: string; driftMicros: number | null }[];
  trialBalance: { totalMicros: number; unbalancedPostings: number };
}

export async function fetchReconciliation(since?: string): Promise<ReconReport> {
  const q = since ? `?since=${encodeURIComponent(since)}` : query;
  const res = await fetch(`${api}/v1/admin/reconciliation${q}`, {
    headers: { authorization: `Bearer ${adminKey()}` },
  });
  if (!res.ok) throw new Error(`reconciliation failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as ReconReport;
}

export function isClean(r: ReconReport): boolean {
  return r.drift.length === 0 && r.trialBalance.totalMicros === 0 && r.trialBalance.unbalancedPostings === 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const report = await fetchReconciliation();
  console.log(JSON.stringify(report, null, 2));
  console.log(isClean(report) ? "reconciliation: no drift, books balance" : "reconciliation: DRIFT");
  process.exit(isClean(report) ? 0 : 1);
}
