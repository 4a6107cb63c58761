// `npm run repair [-- --since <iso time>] [--settle <seconds>] [--grace <seconds>] [--dry-run] [--wait <seconds>]`:
// after a Redis hard crash (docs/ops/rediscrash.md), asks the running exchange to make buyer actors and
// the calls read model agree with the ledger (POST /v1/admin/reconciliation/repair: drift seen twice,
// --settle seconds apart, is repaired; api/ledger/repair-plan.ts says what is done per kind of drift),
// prints what it changed, then reconciles (waiting up to --wait seconds for the repair's events to be
// recorded) and exits 1 unless the books are clean. Safe to run again: a clean exchange changes nothing.
import { isMain } from "./is-main.ts";
import { adminKey, describeReport, isClean, reconcileUntilClean } from "./reconcile.ts";

const api = process.env.DCE_API_URL ?? "http://127.0.0.1:8080";

export interface RepairAnswer {
  plan: {
    lostCalls: { callId: string }[];
    charges: { callId: string }[];
    buyers: { buyerId: string }[];
    untouched: { callId: string; problem: string }[];
  };
  applied: {
    chargesPosted: string[];
    callsEnded: string[];
    buyers: {
      buyerId: string;
      fromMicros: number;
      toMicros: number;
      endedHolds: string[];
      stale?: unknown;
    }[];
  };
  dryRun: boolean;
}

export async function requestRepair(opts: {
  since?: string;
  settleSec?: number;
  graceSec?: number;
  dryRun?: boolean;
}): Promise<RepairAnswer> {
  const res = await fetch(`${api}/v1/admin/reconciliation/repair`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminKey()}`, "content-type": "application/json" },
    body: JSON.stringify(opts),
  });
  if (!res.ok) throw new Error(`repair failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as RepairAnswer;
}

/** What the repair did, one line per change (ids and amounts only). */
export function describeRepair(r: RepairAnswer): string[] {
  const verb = r.dryRun ? "would" : "did";
  const lines = [
    `repair (${r.dryRun ? "dry run" : "applied"}): ${r.plan.lostCalls.length} lost calls, ` +
      `${r.plan.charges.length} missing charges, ${r.plan.buyers.length} buyers, ${r.plan.untouched.length} left to a person`,
  ];
  for (const c of r.plan.lostCalls) lines.push(`  call ${c.callId}: ${verb} end as failed (state_lost)`);
  for (const c of r.plan.charges) lines.push(`  call ${c.callId}: ${verb} post its charge`);
  for (const b of r.applied.buyers) {
    const what = b.stale
      ? "skipped (moved since read; run again)"
      : `balance ${b.fromMicros} -> ${b.toMicros}`;
    lines.push(`  buyer ${b.buyerId}: ${what}; ${b.endedHolds.length} holds ended`);
  }
  for (const m of r.plan.untouched) lines.push(`  call ${m.callId}: ${m.problem}: not repaired, investigate`);
  return lines;
}

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

if (isMain(import.meta.url)) {
  const since = arg("--since");
  const num = (n: string) => (arg(n) === undefined ? undefined : Number(arg(n)));
  const dryRun = process.argv.includes("--dry-run");
  const answer = await requestRepair({ since, settleSec: num("--settle"), graceSec: num("--grace"), dryRun });
  console.log(describeRepair(answer).join("\n"));
  const report = await reconcileUntilClean(since, Number(arg("--wait") ?? 30));
  console.log(describeReport(report).join("\n"));
  process.exit(isClean(report) ? 0 : 1);
}
