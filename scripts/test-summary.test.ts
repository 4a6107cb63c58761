// The test run's gate: a missing report, a failed tier or a drifting reconciliation fails the run.
import { describe, expect, it } from "vitest";
import type { ReconReport } from "./reconcile.ts";
import { summarize, type Tier } from "./test-summary.ts";

const passed = { success: true, numPassedTests: 3, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0 };
const clean: ReconReport = {
  checkedBuyers: 2,
  drift: [],
  calls: { checkedCalls: 4, mismatches: [] },
  trialBalance: { totalMicros: 0, unbalancedPostings: 0 },
};
const tiers = (over: Partial<Tier> = {}): Tier[] => [
  { name: "unit", stack: false, results: passed },
  { name: "e2e", stack: true, results: passed, recon: clean, ...over },
];

describe("summarize", () => {
  it("passes when every tier passed and every stack tier reconciled clean", () => {
    const s = summarize(tiers());
    expect(s.ok).toBe(true);
    expect(s.lines.at(-1)).toBe("tests: 6 passed, 0 failed, 0 skipped: PASS");
  });

  it("fails when a tier's report is missing", () => {
    const s = summarize(tiers({ results: undefined }));
    expect(s.ok).toBe(false);
    expect(s.lines).toContain("tier e2e: FAILED: no test report (the run crashed or never started)");
  });

  it("fails when a report says the run failed, even with no failed test counted", () => {
    expect(summarize(tiers({ results: { ...passed, success: false } })).ok).toBe(false);
    expect(summarize(tiers({ results: { ...passed, numFailedTests: 1 } })).ok).toBe(false);
  });

  it("fails when a stack tier wrote no reconciliation report", () => {
    const s = summarize(tiers({ recon: undefined }));
    expect(s.ok).toBe(false);
    expect(s.lines).toContain(
      "tier e2e: FAILED: no reconciliation report (reconciliation did not run or errored)",
    );
  });

  it("fails on a drifting buyer, naming it, and on a call in question, naming it", () => {
    const drift = summarize(tiers({ recon: { ...clean, drift: [{ buyerId: "byr_x", driftMicros: -5 }] } }));
    expect(drift.ok).toBe(false);
    expect(drift.lines).toContain("  buyer byr_x: actor − ledger = -5 micros");
    const call = summarize(
      tiers({
        recon: {
          ...clean,
          calls: {
            checkedCalls: 4,
            mismatches: [
              { callId: "call_y", buyerId: "byr_x", problem: "charge_missing", detail: "0 charges" },
            ],
          },
        },
      }),
    );
    expect(call.ok).toBe(false);
    expect(call.lines).toContain("  call call_y (buyer byr_x): charge_missing: 0 charges");
  });

  it("fails when the books do not balance", () => {
    const s = summarize(
      tiers({ recon: { ...clean, trialBalance: { totalMicros: 1, unbalancedPostings: 0 } } }),
    );
    expect(s.ok).toBe(false);
  });

  it("names each failed test and failed file, with its error's first line, before the verdict", () => {
    const results = {
      ...passed,
      success: false,
      numFailedTests: 1,
      testResults: [
        {
          name: `${process.cwd()}/api/e2e/a.e2e.test.ts`,
          status: "failed",
          message: "",
          assertionResults: [
            {
              fullName: "calls settle",
              status: "failed",
              failureMessages: ["\nAssertionError: expected 1 to be 2\n  at x"],
            },
            { fullName: "calls route", status: "passed", failureMessages: [] },
          ],
        },
        {
          name: "/elsewhere/b.e2e.test.ts",
          status: "failed",
          message: "Hook timed out in 60000ms",
          assertionResults: [],
        },
      ],
    };
    const s = summarize(tiers({ results }));
    expect(s.ok).toBe(false);
    expect(s.lines.slice(-4)).toEqual([
      "failed:",
      "  e2e: api/e2e/a.e2e.test.ts > calls settle: AssertionError: expected 1 to be 2",
      "  e2e: /elsewhere/b.e2e.test.ts: Hook timed out in 60000ms",
      "tests: 6 passed, 1 failed, 0 skipped: FAIL",
    ]);
  });

  it("fails on an auction whose replay does not match, naming the call, or one without inputs", () => {
    const replay = { checkedAuctions: 3, withoutInputs: 0, mismatches: [] };
    expect(summarize(tiers({ recon: { ...clean, replay } })).ok).toBe(true);
    const mismatch = {
      callId: "call_z",
      eventId: "evt_1",
      recorded: { bidId: "bid_a", buyerId: "byr_a", priceMicros: 2 },
      recomputed: { bidId: "bid_a", buyerId: "byr_a", priceMicros: 1 },
    };
    const s = summarize(tiers({ recon: { ...clean, replay: { ...replay, mismatches: [mismatch] } } }));
    expect(s.ok).toBe(false);
    expect(s.lines).toContain(
      '  call call_z: recorded {"bidId":"bid_a","buyerId":"byr_a","priceMicros":2}, replay {"bidId":"bid_a","buyerId":"byr_a","priceMicros":1}',
    );
    expect(summarize(tiers({ recon: { ...clean, replay: { ...replay, withoutInputs: 1 } } })).ok).toBe(false);
  });
});
