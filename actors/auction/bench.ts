// Times rankBids at 10, 100 and 1,000 bids against a plain numeric sort of the same amounts, in one run.
import { pathToFileURL } from "node:url";
import { ONE_CENT } from "../kernel/money.ts";
import type { AuctionTerms, Bid } from "./auction-api.ts";
import { rankBids } from "./rules.ts";

export interface BenchRow {
  candidates: number;
  medianUs: number;
  p99Us: number;
  decisionsPerSec: number;
  /** Median µs of `Array.prototype.sort` on the same amounts (a copy per run), the baseline. */
  baselineMedianUs: number;
  /** medianUs / baselineMedianUs. */
  ratioToBaseline: number;
}

const NOW = Date.parse("2026-11-28T19:30:00Z");
const TERMS: AuctionTerms = { reserveMicros: 100 * ONE_CENT, type: "second" };

/** Deterministic bids with many ties (amounts in whole cents from a small range), so tie-breaks do real work. */
function makeBids(n: number, seed: number): Bid[] {
  let s = seed;
  const next = (): number => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s;
  };
  const bids: Bid[] = [];
  for (let i = 0; i < n; i++) {
    bids.push({
      bidId: `bid_${String(i).padStart(6, "0")}`,
      buyerId: `buy_${next() % 200}`,
      campaignId: `cmp_${next() % 1000}`,
      amountMicros: (50 + (next() % 500)) * ONE_CENT,
      priority: next() % 3,
      weight: next() % 5,
      receivedAt: NOW - (next() % 200),
      source: "standing",
      destination: { number: "+12125550100" },
      minDurationSec: 60,
      ...(i % 10 === 0 ? { expiresAt: NOW + (next() % 2) } : {}),
    });
  }
  return bids;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Runs `fn` `iterations` times after `warmup` runs; returns per-call µs (sorted) and total ms. */
function measure(
  fn: () => unknown,
  warmup: number,
  iterations: number,
): { us: Float64Array; totalMs: number } {
  for (let i = 0; i < warmup; i++) fn();
  const us = new Float64Array(iterations);
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    fn();
    us[i] = (performance.now() - t0) * 1000;
  }
  const totalMs = performance.now() - start;
  return { us: us.sort(), totalMs };
}

export async function benchAuction(sizes: readonly number[] = [10, 100, 1_000]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  let sink = 0; // keeps results alive so the work cannot be optimised away
  for (const n of sizes) {
    const bids = makeBids(n, n);
    const amounts = bids.map((b) => b.amountMicros);
    const iterations = Math.max(2_000, Math.floor(400_000 / n));
    const warmup = Math.floor(iterations / 4);
    const rank = measure(() => (sink += rankBids(bids, TERMS, NOW).ordered.length), warmup, iterations);
    const base = measure(() => (sink += amounts.slice().sort((a, b) => b - a)[0]!), warmup, iterations);
    const medianUs = percentile(rank.us, 0.5);
    const baselineMedianUs = percentile(base.us, 0.5);
    rows.push({
      candidates: n,
      medianUs,
      p99Us: percentile(rank.us, 0.99),
      decisionsPerSec: Math.round((iterations / rank.totalMs) * 1000),
      baselineMedianUs,
      ratioToBaseline: medianUs / baselineMedianUs,
    });
    await new Promise((resolve) => setImmediate(resolve)); // let the event loop breathe between sizes
  }
  if (sink === -1) console.log(sink);
  return rows;
}

function printTable(rows: BenchRow[]): void {
  const f = (x: number): string => x.toFixed(2);
  console.log(
    "candidates | median µs | p99 µs | decisions/s | bid evals/s | baseline sort median µs | ratio",
  );
  for (const r of rows) {
    const evals = r.decisionsPerSec * r.candidates;
    console.log(
      `${r.candidates} | ${f(r.medianUs)} | ${f(r.p99Us)} | ${r.decisionsPerSec} | ${evals} | ${f(r.baselineMedianUs)} | ${f(r.ratioToBaseline)}×`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printTable(await benchAuction());
}
