// `npm run bench:fsync`: what `appendfsync always` would cost the offer path against the stack's
// `everysec`, measured in one run on one stack (a shared machine is noisy: the two settings alternate,
// A B A B, and each is reported with its spread). Redis's setting is changed live (CONFIG SET) and put
// back. Brings the stack up if none is running. Options: --seconds N (per round, default 8), --rounds N.
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { API, adminKey, isReady, startStack, stopStack } from "../api/e2e/stack.ts";
import { type LoadResult, runLoad } from "./bench/driver.ts";
import { buildMarket } from "./bench/market.ts";
import { offerOk, routed } from "./bench/offers.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "8" }, rounds: { type: "string", default: "2" } },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const MODES = ["everysec", "always"] as const;

const started = await isReady().then((up) => (up ? undefined : startStack()));
const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
const before = ((await redis.config("GET", "appendfsync")) as string[])[1];
try {
  const market = await buildMarket(API, adminKey(), 10);
  await runLoad({
    baseUrl: API,
    concurrency: 4,
    durationMs: 2_000,
    next: (i) => market.offer(5e8 + i),
    ok: offerOk,
  });
  const runs: Record<string, LoadResult[]> = { everysec: [], always: [] };
  let n = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) {
      await redis.config("SET", "appendfsync", mode);
      const r = await runLoad({
        baseUrl: API,
        concurrency: 16,
        durationMs: SECONDS * 1_000,
        next: (i) => market.offer(6e8 + ++n * 1e5 + i),
        ok: offerOk,
        hit: routed,
      });
      runs[mode]!.push(r);
      console.log(
        `[fsync] ${mode}: ${r.okRps.toFixed(1)} offers/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms`,
      );
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const row = (mode: string) => {
    const rs = runs[mode]!;
    const ok = rs.map((r) => r.okRps);
    return `| ${mode} | ${mean(ok).toFixed(1)} (${Math.min(...ok).toFixed(1)}–${Math.max(...ok).toFixed(1)}) | ${mean(rs.map((r) => r.p50Ms)).toFixed(1)} | ${mean(rs.map((r) => r.p99Ms)).toFixed(1)} |`;
  };
  const ratio = mean(runs.always!.map((r) => r.okRps)) / mean(runs.everysec!.map((r) => r.okRps));
  console.log(
    [
      `appendfsync, offers at concurrency 16, 10 candidates, ${ROUNDS}×${SECONDS}s each, alternating:`,
      "| appendfsync | offers/s mean (min–max) | p50 ms | p99 ms |",
      "|---|---|---|---|",
      row("everysec"),
      row("always"),
      `always / everysec throughput: ${ratio.toFixed(2)}`,
    ].join("\n"),
  );
} finally {
  await redis.config("SET", "appendfsync", before ?? "everysec");
  redis.disconnect();
  if (started) await stopStack(started);
}
