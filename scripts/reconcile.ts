// `npm run reconcile [-- --since <iso time>] [--wait <seconds>] [--grace <seconds>] [--out <file>]`:
// asks the running exchange to reconcile call by call (every billable call charged once at its price,
// no other call charged; every buyer capture with exactly one charge posting of its amount and every
// charge posting with its capture, read in one repeatable-read snapshot; a half recorded within
// --grace seconds is in flight, not missing) and buyer by buyer (actor balance = ledger balance; actor reservations = prices of the
// buyer's open calls), and the trial balance; prints every problem by buyer and call, writes the
// report to --out, and exits 1 unless all is clean.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isMain } from "./is-main.ts";

const root = resolve(import.meta.dirname, "..");
const api = process.env.DCE_API_URL ?? "http://127.0.0.1:8080";
/** The admin key, read when needed: on a fresh machine the stack writes secrets.env only when it starts. */
export function adminKey(): string | undefined {
  if (process.env.DCE_ADMIN_API_KEY) return process.env.DCE_ADMIN_API_KEY;
  const file = join(process.env.DCE_STATE_DIR ?? join(root, ".data"), "secrets.env");
  return /^DCE_ADMIN_API_KEY=(.+)$/m.exec(readFileSync(file, "utf8"))?.[1];
}

export interface ReconReport {
  checkedBuyers: number;
  drift: {
    buyerId: string;
    driftMicros: number | null;
    reservedMicros?: number | null;
    openCallsMicros?: number;
  }[];
  calls: {
    checkedCalls: number;
    checkedCaptures?: number;
    inFlight?: number;
    mismatches: { callId: string; buyerId: string | null; problem: string; detail: string }[];
  };
  trialBalance: { totalMicros: number; unbalancedPostings: number };
  /** The stack tiers' teardown adds the replay of every auction closed in the run (api/receipts). */
  replay?: ReplayReport;
}

/** GET /v1/admin/replay: every auction since a time recomputed from its recorded inputs. */
export interface ReplayReport {
  checkedAuctions: number;
  withoutInputs: number;
  mismatches: { callId: string; eventId: string; recorded: unknown; recomputed: unknown }[];
}

/** Replays every auction closed since `since` (the run's calls) with the pure auction rules. */
export async function fetchReplay(since: string): Promise<ReplayReport> {
  const res = await fetch(`${api}/v1/admin/replay?since=${encodeURIComponent(since)}`, {
    headers: { authorization: `Bearer ${adminKey()}` },
  });
  if (!res.ok) throw new Error(`replay failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as ReplayReport;
}

export async function fetchReconciliation(since?: string, graceSec = 0): Promise<ReconReport> {
  const params = new URLSearchParams({ graceSec: String(graceSec) });
  if (since) params.set("since", since);
  const q = `?${params}`;
  const res = await fetch(`${api}/v1/admin/reconciliation${q}`, {
    headers: { authorization: `Bearer ${adminKey()}` },
  });
  if (!res.ok) throw new Error(`reconciliation failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as ReconReport;
}

export function isClean(r: ReconReport): boolean {
  return (
    r.drift.length === 0 &&
    r.calls.mismatches.length === 0 &&
    r.trialBalance.totalMicros === 0 &&
    r.trialBalance.unbalancedPostings === 0 &&
    (r.replay === undefined || (r.replay.mismatches.length === 0 && r.replay.withoutInputs === 0))
  );
}

/** Reconciles, retrying for up to `waitSec` while charges may still be in flight through pub/sub. */
export async function reconcileUntilClean(
  since: string | undefined,
  waitSec: number,
  graceSec = 0,
): Promise<ReconReport> {
  const deadline = Date.now() + waitSec * 1_000;
  let report = await fetchReconciliation(since, graceSec);
  while (!isClean(report) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    report = await fetchReconciliation(since, graceSec);
  }
  return report;
}

/** The report as lines a reader can act on: one per drifting buyer and per call in question. */
export function describeReport(r: ReconReport, label = "reconciliation"): string[] {
  const tb = r.trialBalance;
  const lines = [
    `${label}: ${r.checkedBuyers} buyers, ${r.calls.checkedCalls} calls, ${r.calls.checkedCaptures ?? 0} captures ` +
      `(${r.calls.inFlight ?? 0} in flight); ${r.drift.length} buyers drifting, ` +
      `${r.calls.mismatches.length} calls in question; trial balance ${tb.totalMicros} ` +
      `(${tb.unbalancedPostings} unbalanced postings): ${isClean(r) ? "CLEAN" : "DRIFT"}`,
  ];
  // The first ten of each: a CI log keeps only its tail, and the verdict and the failed tests must fit.
  for (const d of r.drift.slice(0, 10)) {
    const held =
      d.reservedMicros !== undefined && d.reservedMicros !== null && d.reservedMicros !== d.openCallsMicros
        ? `; actor holds ${d.reservedMicros} micros for open calls priced ${d.openCallsMicros}`
        : "";
    lines.push(`  buyer ${d.buyerId}: actor − ledger = ${d.driftMicros ?? "actor unreadable"} micros${held}`);
  }
  if (r.drift.length > 10) lines.push(`  … and ${r.drift.length - 10} more buyers drifting`);
  for (const m of r.calls.mismatches.slice(0, 10))
    lines.push(`  call ${m.callId} (buyer ${m.buyerId ?? "?"}): ${m.problem}: ${m.detail}`);
  if (r.calls.mismatches.length > 10)
    lines.push(`  … and ${r.calls.mismatches.length - 10} more calls in question`);
  if (r.replay) {
    const rp = r.replay;
    lines.push(
      `${label} replay: ${rp.checkedAuctions} auctions recomputed, ${rp.mismatches.length} mismatches, ` +
        `${rp.withoutInputs} without recorded inputs`,
    );
    for (const m of rp.mismatches)
      lines.push(
        `  call ${m.callId}: recorded ${JSON.stringify(m.recorded)}, replay ${JSON.stringify(m.recomputed)}`,
      );
  }
  return lines;
}

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

if (isMain(import.meta.url)) {
  const report = await reconcileUntilClean(
    arg("--since"),
    Number(arg("--wait") ?? 0),
    Number(arg("--grace") ?? 0),
  );
  const out = arg("--out");
  if (out) writeFileSync(out, JSON.stringify(report, null, 2));
  console.log(describeReport(report).join("\n"));
  process.exit(isClean(report) ? 0 : 1);
}
