// A closed-loop HTTP load driver for benchmarks: `concurrency` workers each send a request, wait for
// the answer, record its latency and send the next, until the duration ends. Keep-alive sockets.
import http from "node:http";
import { send } from "./client.ts";

export interface Req {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  /** Answers `ok` accepted, per second (a baseline that fails fast must not look fast). */
  okRps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers the `classify` callback counted as a success of the kind asked about (e.g. routed). */
  hits: number;
  /** Every latency in ms, when asked for (`keepSamples`), to pool several runs. */
  samples?: number[];
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export async function runLoad(opts: {
  baseUrl: string;
  concurrency: number;
  durationMs: number;
  next: (i: number) => Req;
  ok: (status: number, body: string) => boolean;
  hit?: (status: number, body: string) => boolean;
  /** Stop after this many requests, even before the duration ends. */
  maxRequests?: number;
  /**
   * Open loop: requests start on a fixed schedule at this rate (the workers only carry them), and a
   * request's latency counts from its scheduled start, so a stall is not hidden by waiting clients.
   */
  ratePerSec?: number;
  keepSamples?: boolean;
}): Promise<LoadResult> {
  const base = new URL(opts.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const samples: number[] = [];
  let errors = 0;
  let hits = 0;
  let seq = 0;
  const started = performance.now();
  const deadline = started + opts.durationMs;
  async function worker() {
    while (performance.now() < deadline && seq < (opts.maxRequests ?? Number.POSITIVE_INFINITY)) {
      const slot = seq++;
      let t0 = performance.now();
      if (opts.ratePerSec) {
        const at = started + (slot * 1000) / opts.ratePerSec;
        if (at >= deadline) break;
        if (at > t0) await new Promise((r) => setTimeout(r, at - t0));
        t0 = at;
      }
      const req = opts.next(slot);
      try {
        const res = await send(agent, base, req);
        samples.push(performance.now() - t0);
        if (!opts.ok(res.status, res.body)) errors++;
        else if (opts.hit?.(res.status, res.body)) hits++;
      } catch {
        samples.push(performance.now() - t0);
        errors++;
      }
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const sorted = Float64Array.from(samples).sort();
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    requests: samples.length,
    errors,
    seconds: round(seconds),
    rps: round(samples.length / seconds),
    okRps: round((samples.length - errors) / seconds),
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
    hits,
    ...(opts.keepSamples ? { samples } : {}),
  };
}
