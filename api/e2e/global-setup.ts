// vitest global setup for the e2e tier: make sure the real stack is up for the whole run.
import type { ChildProcess } from "node:child_process";
import { fetchReconciliation, isClean } from "../../scripts/reconcile.ts";
import { isReady, startStack, stopStack } from "./stack.ts";

let started: ChildProcess | undefined;
let runStartedAt = "";

export async function setup(): Promise<void> {
  runStartedAt = new Date(Date.now() - 1_000).toISOString();
  if (await isReady()) return;
  started = await startStack();
}

/** After every e2e test: the buyers this run created must reconcile with the ledger (zero drift). */
async function reconcileRun(): Promise<void> {
  let report = await fetchReconciliation(runStartedAt);
  for (let i = 0; i < 60 && !isClean(report); i++) {
    await new Promise((r) => setTimeout(r, 500)); // charges still in flight through pub/sub
    report = await fetchReconciliation(runStartedAt);
  }
  console.log(
    `reconciliation: ${report.checkedBuyers} buyers, ${report.drift.length} drifting, trial balance ${report.trialBalance.totalMicros}`,
  );
  if (!isClean(report))
    throw new Error(`ledger drift after the e2e run: ${JSON.stringify(report.drift.slice(0, 5))}`);
}

export async function teardown(): Promise<void> {
  try {
    await reconcileRun();
  } finally {
    if (started) await stopStack(started);
  }
}
