// Latency samples and their exact statistics: every sample kept in a growing Float64Array, percentiles
// by linear interpolation between the closest ranks (the way k6 computes trend percentiles).

export class Samples {
  private data = new Float64Array(1024);
  private n = 0;

  add(value: number): void {
    if (this.n === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.n++] = value;
  }

  get count(): number {
    return this.n;
  }

  /** A sorted copy of the samples from index `from` on (all by default). */
  sorted(from = 0): Float64Array {
    return this.data.slice(from, this.n).sort();
  }
}

/** The p-th percentile (0-100) of ascending values; NaN when there are none. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export type TrendValues = Record<"avg" | "min" | "med" | "max" | "p(90)" | "p(95)" | "p(99)", number>;

export function trend(sorted: Float64Array): TrendValues {
  let sum = 0;
  for (const v of sorted) sum += v;
  const empty = sorted.length === 0;
  return {
    avg: empty ? Number.NaN : sum / sorted.length,
    min: empty ? Number.NaN : sorted[0]!,
    med: percentile(sorted, 50),
    max: empty ? Number.NaN : sorted[sorted.length - 1]!,
    "p(90)": percentile(sorted, 90),
    "p(95)": percentile(sorted, 95),
    "p(99)": percentile(sorted, 99),
  };
}
