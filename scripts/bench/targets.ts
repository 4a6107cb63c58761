// The offer-path targets of issue 13, judged on figures from one bench run: each with the measured
// value, the bound, and pass/fail (n/a when the run did not measure it, e.g. 1,000 candidates in --quick).
import type { LoadResult } from "./driver.ts";

export interface TargetInput {
  /** Successful empty actor calls per second. */
  emptyActorRps: number;
  /** Offers at concurrency 16 by candidate count, with CPU ms per offer summed over processes. */
  byCandidates: { candidates: number; rps: number; bidEvalsPerSec: number; cpuMsTotal: number }[];
  byConcurrency: (LoadResult & { concurrency: number })[];
  /** The open-loop run at half the peak offer rate. */
  halfPeak?: LoadResult;
}

export interface Target {
  target: string;
  measured: string;
  pass: boolean | null;
}

export function peakRps(input: TargetInput): number {
  const at10 = input.byCandidates.find((r) => r.candidates === 10)?.rps ?? 0;
  return Math.max(at10, ...input.byConcurrency.map((r) => r.rps));
}

export function judge(input: TargetInput): Target[] {
  const k = (n: number) => input.byCandidates.find((r) => r.candidates === n);
  const c = (n: number) => input.byConcurrency.find((r) => r.concurrency === n);
  const out: Target[] = [];
  const add = (target: string, value: number | undefined, unit: string, ok: (v: number) => boolean) =>
    out.push(
      value === undefined || Number.isNaN(value)
        ? { target, measured: "not measured", pass: null }
        : { target, measured: `${Math.round(value * 100) / 100}${unit}`, pass: ok(value) },
    );
  const ten = k(10);
  add(
    "offers/s at 10 candidates ≥ 0.2× empty actor call/s",
    ten && input.emptyActorRps > 0 ? ten.rps / input.emptyActorRps : undefined,
    "×",
    (v) => v >= 0.2,
  );
  add("CPU per offer at 10 candidates ≤ 15 ms", ten?.cpuMsTotal, " ms", (v) => v <= 15);
  add("CPU per offer at 100 candidates ≤ 25 ms", k(100)?.cpuMsTotal, " ms", (v) => v <= 25);
  add("one offer alone (concurrency 1): p50 ≤ 15 ms", c(1)?.p50Ms, " ms", (v) => v <= 15);
  add("one offer alone (concurrency 1): p99 ≤ 40 ms", c(1)?.p99Ms, " ms", (v) => v <= 40);
  add("p99 ≤ 50 ms at half the peak rate (open loop)", input.halfPeak?.p99Ms, " ms", (v) => v <= 50);
  const peak = peakRps(input);
  add(
    "throughput at concurrency 32 ≥ 90% of peak",
    c(32) && peak > 0 ? (c(32)!.rps / peak) * 100 : undefined,
    "%",
    (v) => v >= 90,
  );
  add("1,000 candidates: ≥ 50,000 bid evaluations/s", k(1000)?.bidEvalsPerSec, "/s", (v) => v >= 50_000);
  return out;
}
