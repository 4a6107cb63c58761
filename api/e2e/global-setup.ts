// vitest global setup for the stack tiers: make sure the real stack is up for the whole run, and
// reconcile what the run created before stopping it. The report goes to DCE_RECONCILE_REPORT, which
// scripts/test.sh requires to exist and be clean: an error thrown here is only logged by vitest.
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { describeReport, fetchReplay, isClean, reconcileUntilClean } from "../../scripts/reconcile.ts";
import { isReady, startStack, stopStack, tierEnv } from "./stack.ts";

let started: ChildProcess | undefined;
let runStartedAt = "";

export async function setup(project?: TestProject): Promise<void> {
  runStartedAt = new Date(Date.now() - 1_000).toISOString();
  if (await isReady()) return;
  started = await startStack(undefined, tierEnv(project?.name));
}

/**
 * After the tier's tests: its buyers and calls must reconcile with the ledger (zero drift), and every
 * auction the run closed must replay to its recorded decision (GET /v1/admin/replay).
 */
async function reconcileRun(): Promise<void> {
  const report = await reconcileUntilClean(runStartedAt, 30); // charges may be in flight through pub/sub
  report.replay = await fetchReplay(runStartedAt);
  const out = process.env.DCE_RECONCILE_REPORT;
  if (out)
    writeFileSync(out, JSON.stringify({ since: runStartedAt, clean: isClean(report), ...report }, null, 2));
  console.log(describeReport(report, `reconciliation since ${runStartedAt}`).join("\n"));
  if (!isClean(report))
    throw new Error("ledger drift or an auction replay mismatch after the run (see the lines above)");
}

export async function teardown(): Promise<void> {
  try {
    await reconcileRun();
  } finally {
    if (started) await stopStack(started);
  }
}
