// k6 threshold expressions ("p(95)<250", "rate<0.01", "avg<=100", "count>0") parsed and evaluated
// against a metric's aggregated values.

export type Operator = "<" | "<=" | ">" | ">=" | "==" | "===" | "!=";

export interface Threshold {
  source: string;
  /** The aggregation as k6 names it in a metric's values: "avg", "p(95)", "rate", ... */
  aggregation: string;
  /** For p(N): N. */
  percentile?: number;
  operator: Operator;
  value: number;
}

const PATTERN =
  /^\s*(avg|min|max|med|count|rate|value|p\((\d+(?:\.\d+)?)\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/;

export function parseThreshold(source: string): Threshold {
  const m = PATTERN.exec(source);
  if (!m) throw new Error(`not a threshold: "${source}" (e.g. p(95)<250, rate<0.01, avg<100)`);
  const t: Threshold = { source, aggregation: m[1]!, operator: m[3] as Operator, value: Number(m[4]) };
  if (m[2] !== undefined) {
    t.percentile = Number(m[2]);
    if (t.percentile > 100) throw new Error(`not a threshold: "${source}" (a percentile is 0-100)`);
    t.aggregation = `p(${t.percentile})`;
  }
  return t;
}

function compare(actual: number, op: Operator, expected: number): boolean {
  switch (op) {
    case "<":
      return actual < expected;
    case "<=":
      return actual <= expected;
    case ">":
      return actual > expected;
    case ">=":
      return actual >= expected;
    case "==":
    case "===":
      return actual === expected;
    case "!=":
      return actual !== expected;
  }
}

export interface ThresholdResult {
  ok: boolean;
  actual: number;
}

/**
 * `lookup` gives the metric's value for an aggregation (undefined when the metric has no such value);
 * an aggregation the metric lacks, or a NaN (no samples), fails the threshold rather than passing it.
 */
export function evaluateThreshold(
  t: Threshold,
  lookup: (t: Threshold) => number | undefined,
): ThresholdResult {
  const actual = lookup(t);
  if (actual === undefined) throw new Error(`threshold "${t.source}": the metric has no ${t.aggregation}`);
  return { ok: !Number.isNaN(actual) && compare(actual, t.operator, t.value), actual };
}
