// The targets judged from bench figures: bounds, ratios to same-run baselines, and n/a.
import { describe, expect, it } from "vitest";
import type { LoadResult } from "./driver.ts";
import { judge, peakRps } from "./targets.ts";

const load = (rps: number, p50Ms = 10, p99Ms = 30): LoadResult => ({
  requests: rps * 3,
  errors: 0,
  seconds: 3,
  rps,
  okRps: rps,
  p50Ms,
  p95Ms: p99Ms,
  p99Ms,
  maxMs: p99Ms,
  hits: 0,
});

describe("bench targets", () => {
  const input = {
    emptyActorRps: 900,
    byCandidates: [
      { candidates: 10, rps: 200, bidEvalsPerSec: 2000, cpuMsTotal: 14 },
      { candidates: 100, rps: 120, bidEvalsPerSec: 12_000, cpuMsTotal: 30 },
    ],
    byConcurrency: [
      { ...load(60, 12, 39), concurrency: 1 },
      { ...load(210), concurrency: 8 },
      { ...load(180), concurrency: 32 },
    ],
    halfPeak: load(105, 10, 51),
  };

  it("takes the peak over the sweep and the 10-candidate run", () => {
    expect(peakRps(input)).toBe(210);
  });

  it("passes and fails each target against its bound", () => {
    const t = Object.fromEntries(judge(input).map((x) => [x.target, x]));
    expect(t["offers/s at 10 candidates ≥ 0.2× empty actor call/s"]).toMatchObject({
      measured: "0.22×",
      pass: true,
    });
    expect(t["CPU per offer at 10 candidates ≤ 15 ms"]?.pass).toBe(true);
    expect(t["CPU per offer at 100 candidates ≤ 25 ms"]?.pass).toBe(false);
    expect(t["one offer alone (concurrency 1): p50 ≤ 15 ms"]?.pass).toBe(true);
    expect(t["one offer alone (concurrency 1): p99 ≤ 40 ms"]?.pass).toBe(true);
    expect(t["p99 ≤ 50 ms at half the peak rate (open loop)"]?.pass).toBe(false);
    // 180 / 210 = 85.7 %
    expect(t["throughput at concurrency 32 ≥ 90% of peak"]).toMatchObject({
      measured: "85.71%",
      pass: false,
    });
    expect(t["1,000 candidates: ≥ 50,000 bid evaluations/s"]).toMatchObject({
      measured: "not measured",
      pass: null,
    });
  });
});
