// The run's summary in the shape of k6's handleSummary data (metrics → type, values, thresholds), the
// thresholds evaluated, and the table printed at the end of a run.

import { formatDuration } from "../duration.ts";
import type { Executor, Scenario } from "../scenarios.ts";
import { percentile, trend } from "./stats.ts";
import { evaluateThreshold, parseThreshold } from "./thresholds.ts";

export interface MetricSummary {
  type: "counter" | "rate" | "trend" | "gauge";
  contains?: "time";
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface Summary {
  scenario: string;
  runId: string;
  baseUrl: string;
  startedAt: string;
  candidates: number;
  executor: Executor;
  setup: { requests: number; ms: number };
  errors: Record<string, number>;
  state: { testRunDurationMs: number };
  metrics: Record<string, MetricSummary>;
  thresholds: { metric: string; threshold: string; ok: boolean; actual: number }[];
  ok: boolean;
}

export interface Measurements {
  /** Every offer request's duration in ms, ascending. */
  durations: Float64Array;
  failed: number;
  checksPassed: number;
  /** Failed offers by status and problem code. */
  errors: Record<string, number>;
  routed: number;
  noBid: number;
  dropped: number;
  maxInFlight: number;
  testRunMs: number;
}

export function buildSummary(
  s: Scenario,
  run: Omit<
    Summary,
    "metrics" | "thresholds" | "ok" | "state" | "executor" | "scenario" | "candidates" | "errors"
  >,
  m: Measurements,
): Summary {
  const sec = m.testRunMs / 1_000;
  const reqs = m.durations.length;
  const counter = (count: number): MetricSummary => ({
    type: "counter",
    values: { count, rate: count / sec },
  });
  const rate = (passes: number, total: number): MetricSummary => ({
    type: "rate",
    values: { rate: total ? passes / total : Number.NaN, passes, fails: total - passes },
  });
  const metrics: Record<string, MetricSummary> = {
    http_reqs: counter(reqs),
    http_req_duration: { type: "trend", contains: "time", values: trend(m.durations) },
    http_req_failed: rate(m.failed, reqs),
    checks: rate(m.checksPassed, reqs),
    iterations: counter(reqs),
    dropped_iterations: counter(m.dropped),
    routed_calls: counter(m.routed),
    no_bid_calls: counter(m.noBid),
    bid_evaluations: counter((m.routed + m.noBid) * s.candidates),
    vus_max: { type: "gauge", values: { value: m.maxInFlight } },
  };
  const thresholds: Summary["thresholds"] = [];
  for (const [metric, sources] of Object.entries(s.thresholds)) {
    const ms = metrics[metric];
    if (!ms) throw new Error(`threshold on ${metric}: the runner does not measure it`);
    for (const source of sources) {
      const t = parseThreshold(source);
      const r = evaluateThreshold(t, (th) =>
        th.percentile !== undefined && ms.type === "trend"
          ? percentile(m.durations, th.percentile)
          : ms.values[th.aggregation],
      );
      ms.thresholds = { ...ms.thresholds, [source]: { ok: r.ok } };
      thresholds.push({ metric, threshold: source, ok: r.ok, actual: r.actual });
    }
  }
  return {
    scenario: s.name,
    candidates: s.candidates,
    executor: s.executor,
    ...run,
    errors: m.errors,
    state: { testRunDurationMs: m.testRunMs },
    metrics,
    thresholds,
    ok: thresholds.every((t) => t.ok),
  };
}

const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "-" : `${v.toFixed(2)}ms`);
const pct = (v: number | undefined) =>
  v === undefined || Number.isNaN(v) ? "-" : `${(v * 100).toFixed(2)}%`;
const perSec = (m: MetricSummary | undefined) =>
  `${m?.values.count ?? 0}  ${(m?.values.rate ?? 0).toFixed(1)}/s`;

export function formatTable(s: Summary): string {
  const e = s.executor;
  const load =
    e.executor === "constant-arrival-rate"
      ? `${e.rate}/${e.timeUnit} for ${e.duration}`
      : `ramping ${e.startRate}→${e.stages.map((st) => `${st.target}@${st.duration}`).join("→")} per ${e.timeUnit}`;
  const d = s.metrics.http_req_duration!.values;
  const f = s.metrics.http_req_failed!.values;
  const c = s.metrics.checks!.values;
  const rows: [string, string][] = [
    ["http_reqs", perSec(s.metrics.http_reqs)],
    [
      "http_req_duration",
      `avg=${ms(d.avg)} min=${ms(d.min)} med=${ms(d.med)} p(90)=${ms(d["p(90)"])} p(95)=${ms(d["p(95)"])} p(99)=${ms(d["p(99)"])} max=${ms(d.max)}`,
    ],
    ["http_req_failed", `${pct(f.rate)}  ${f.passes} of ${(f.passes ?? 0) + (f.fails ?? 0)}`],
    ["checks", `${pct(c.rate)}  ${c.passes} passed, ${c.fails} failed`],
    ["routed_calls", perSec(s.metrics.routed_calls)],
    ["no_bid_calls", perSec(s.metrics.no_bid_calls)],
    ["bid_evaluations", perSec(s.metrics.bid_evaluations)],
    ["dropped_iterations", perSec(s.metrics.dropped_iterations)],
    ["vus_max", `${s.metrics.vus_max!.values.value}`],
  ];
  const lines = [
    `scenario ${s.scenario}: ${load}, ${s.candidates} candidate buyers, run ${s.runId} against ${s.baseUrl}`,
    `setup: ${s.setup.requests} requests in ${formatDuration(s.setup.ms)}; test run ${formatDuration(s.state.testRunDurationMs)}`,
    "",
    ...rows.map(([k, v]) => `  ${k.padEnd(20, ".")} ${v}`),
    ...Object.entries(s.errors)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 5)
      .map(([kind, n]) => `  failed offers: ${n} × ${kind}`),
    "",
    "thresholds:",
    ...s.thresholds.map(
      (t) =>
        `  ${t.ok ? "✓" : "✗"} ${t.metric} ${t.threshold}  (actual ${t.metric === "http_req_duration" ? ms(t.actual) : t.actual.toFixed(4)})`,
    ),
    s.ok ? "all thresholds passed" : "SOME THRESHOLDS FAILED",
  ];
  return lines.join("\n");
}
