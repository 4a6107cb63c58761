// `npm test`'s last step: reads each tier's vitest JSON report (and, for the stack tiers, the
// reconciliation report their global teardown wrote), prints the totals and every failure, and exits 1
// when a report is missing, a tier failed, or a stack tier's reconciliation found drift.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isMain } from "./is-main.ts";
import { describeReport, isClean, type ReconReport } from "./reconcile.ts";

export interface Tier {
  name: string;
  /** The vitest JSON report, or undefined when the file is missing. */
  results?: {
    success: boolean;
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults?: SuiteResult[];
  };
  /** Stack tiers only: the reconciliation report, or undefined when the teardown wrote none. */
  recon?: ReconReport;
  stack: boolean;
}

/** One test file in a vitest JSON report: its failed tests are named in the summary. */
export interface SuiteResult {
  name: string;
  status: string;
  message?: string;
  assertionResults: { fullName: string; status: string; failureMessages?: string[] | null }[];
}

/** How many failures the summary names; the JSON reports keep the rest. */
const MAX_FAILURES = 25;

/**
 * The failed files and tests of every tier, with the first line of each error. They come last, right
 * before the verdict, so a CI log that keeps only its tail still says which tests failed and why.
 */
export function describeFailures(tiers: Tier[], cwd = process.cwd()): string[] {
  const lines: string[] = [];
  let left = 0;
  for (const t of tiers) {
    for (const suite of t.results?.testResults ?? []) {
      const file = suite.name.startsWith(`${cwd}/`) ? suite.name.slice(cwd.length + 1) : suite.name;
      const failures: string[] = [];
      if (suite.status === "failed" && suite.message) failures.push(`${file}: ${firstLine(suite.message)}`);
      for (const a of suite.assertionResults)
        if (a.status === "failed")
          failures.push(`${file} > ${a.fullName}: ${firstLine(a.failureMessages?.[0] ?? "")}`);
      for (const f of failures) {
        if (lines.length < MAX_FAILURES) lines.push(`  ${t.name}: ${f}`);
        else left++;
      }
    }
  }
  if (left > 0) lines.push(`  … and ${left} more (see .data/test-results-<tier>.json)`);
  return lines.length > 0 ? ["failed:", ...lines] : [];
}

function firstLine(message: string): string {
  const line = message.split("\n").find((l) => l.trim() !== "") ?? "(no message)";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

export function summarize(tiers: Tier[]): { ok: boolean; lines: string[] } {
  const lines: string[] = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let ok = true;
  for (const t of tiers) {
    if (!t.results) {
      lines.push(`tier ${t.name}: FAILED: no test report (the run crashed or never started)`);
      ok = false;
    } else {
      passed += t.results.numPassedTests;
      failed += t.results.numFailedTests;
      skipped += t.results.numPendingTests + t.results.numTodoTests;
      if (!t.results.success || t.results.numFailedTests > 0) {
        lines.push(`tier ${t.name}: FAILED (${t.results.numFailedTests} failed tests or a failed suite)`);
        ok = false;
      }
    }
    if (!t.stack) continue;
    if (!t.recon) {
      lines.push(`tier ${t.name}: FAILED: no reconciliation report (reconciliation did not run or errored)`);
      ok = false;
    } else {
      lines.push(...describeReport(t.recon, `tier ${t.name} reconciliation`));
      if (!isClean(t.recon)) ok = false;
    }
  }
  lines.push(...describeFailures(tiers));
  lines.push(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped: ${ok ? "PASS" : "FAIL"}`);
  return { ok, lines };
}

function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : undefined;
}

if (isMain(import.meta.url)) {
  // Arguments: the tiers in order, a stack tier marked with a trailing `+` (e.g. `unit main+`).
  const dir = process.env.DCE_REPORT_DIR ?? ".data";
  const tiers = process.argv.slice(2).map((arg): Tier => {
    const name = arg.replace(/\+$/, "");
    return {
      name,
      stack: arg.endsWith("+"),
      results: readJson(join(dir, `test-results-${name}.json`)),
      recon: readJson(join(dir, `reconcile-${name}.json`)),
    };
  });
  const { ok, lines } = summarize(tiers);
  console.log(lines.join("\n"));
  process.exit(ok ? 0 : 1);
}
