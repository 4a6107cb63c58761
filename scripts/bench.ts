// `npm run bench`: measures the exchange on this machine and writes a JSON + Markdown report with
// SVG plots to bench-results/. Every figure has a baseline measured in the same run: a bare Hono
// endpoint and an empty actor method through the same daprd. Brings the stack up if none is running.
// Options: --quick (short runs), --memory-actors N (default 10000).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchAuction } from "../actors/auction/bench.ts";
import { API, adminKey, isReady, ROOT, STATE_DIR, startStack, stopStack } from "../api/e2e/stack.ts";
import { type LoadResult, runLoad } from "./bench/driver.ts";
import { buildMarket } from "./bench/market.ts";
import { lineChart } from "./bench/svg.ts";

type ByCandidates = LoadResult & {
  candidates: number;
  bidEvalsPerSec: number;
  routedPerSec: number;
  cpuMsPerOffer: Record<string, number>;
};

const quick = process.argv.includes("--quick");
const memArg = process.argv.indexOf("--memory-actors");
const MEMORY_ACTORS = memArg > 0 ? Number(process.argv[memArg + 1]) : quick ? 2_000 : 10_000;
const SECONDS = quick ? 3 : 8;
const ACTOR_SIDECAR = "http://127.0.0.1:3502"; // the API's daprd: the same hop the API takes to actors
const log = (s: string) => console.log(`[bench] ${s}`);

const routed = (status: number, body: string) => status === 201 && body.includes('"status":"routed"');
const offerOk = (status: number, body: string) => status === 201 && /"status":"(routed|no_bid)"/.test(body);

function stackPids(): Record<string, number> {
  return (
    JSON.parse(readFileSync(join(STATE_DIR, "stack.json"), "utf8")) as { processes: Record<string, number> }
  ).processes;
}

/** CPU time (user + system, ms) each stack process has used so far, from /proc (clock ticks of 10 ms). */
function cpuMs(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(stackPids())) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      out[name] = (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      out[name] = 0;
    }
  }
  return out;
}

/** Where the CPU goes per offer: each process's CPU ms during the run divided by the offers made. */
function cpuPerOffer(before: Record<string, number>, after: Record<string, number>, offers: number) {
  const per: Record<string, number> = {};
  for (const name of Object.keys(after)) {
    per[name] = Math.round((((after[name] ?? 0) - (before[name] ?? 0)) / offers) * 100) / 100;
  }
  per.total = Math.round(Object.values(per).reduce((a, b) => a + b, 0) * 100) / 100;
  return per;
}

function rssMb(name: string): number {
  const status = readFileSync(`/proc/${stackPids()[name]}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const started = await isReady().then((up) => (up ? undefined : startStack()));
try {
  const key = adminKey();
  const report: Record<string, unknown> = {
    at: new Date().toISOString(),
    machine: "2 cores (shared)",
    seconds: SECONDS,
  };

  log("pure auction decision (rankBids)");
  report.auction = await benchAuction();

  log("baseline: bare Hono endpoint (GET /health)");
  const hono = await runLoad({
    baseUrl: API,
    concurrency: 16,
    durationMs: SECONDS * 1000,
    next: () => ({ method: "GET", path: "/health" }),
    ok: (s) => s === 200,
  });
  log("baseline: empty actor method through daprd (BenchActor.ping)");
  const emptyActor = await runLoad({
    baseUrl: ACTOR_SIDECAR,
    concurrency: 16,
    durationMs: SECONDS * 1000,
    next: (i) => ({ method: "POST", path: `/v1.0/actors/BenchActor/bench-${i % 1000}/method/ping` }),
    ok: (s) => s === 200,
  });
  report.baselines = { hono, emptyActor };

  const byCandidates: ByCandidates[] = [];
  for (const k of quick ? [10, 100] : [10, 100, 1000]) {
    log(`offers with ${k} candidate buyers: building the market`);
    const market = await buildMarket(API, key, k);
    await runLoad({
      baseUrl: API,
      concurrency: 4,
      durationMs: 1000,
      next: (i) => market.offer(1e6 + i),
      ok: offerOk,
    });
    log(`offers with ${k} candidates: ${SECONDS}s at concurrency 16`);
    const cpuBefore = cpuMs();
    const r = await runLoad({
      baseUrl: API,
      concurrency: 16,
      durationMs: SECONDS * 1000,
      next: market.offer,
      ok: offerOk,
      hit: routed,
    });
    const routedPerSec = Math.round((r.hits / r.seconds) * 10) / 10;
    // The events these offers published are still being consumed: let the pipeline drain so their CPU
    // is counted too.
    await new Promise((res) => setTimeout(res, 2_000));
    byCandidates.push({
      ...r,
      candidates: k,
      routedPerSec,
      bidEvalsPerSec: Math.round((r.requests / r.seconds) * k),
      cpuMsPerOffer: cpuPerOffer(cpuBefore, cpuMs(), r.requests),
    });
  }
  report.byCandidates = byCandidates;

  log("concurrency sweep at 10 candidates");
  const market = await buildMarket(API, key, 10);
  const byConcurrency: (LoadResult & { concurrency: number })[] = [];
  for (const c of quick ? [1, 8, 32] : [1, 4, 8, 16, 32]) {
    const r = await runLoad({
      baseUrl: API,
      concurrency: c,
      durationMs: SECONDS * 1000,
      next: (i) => market.offer(c * 1e7 + i),
      ok: offerOk,
      hit: routed,
    });
    byConcurrency.push({ ...r, concurrency: c });
  }
  report.byConcurrency = byConcurrency;

  log(`memory: activating ${MEMORY_ACTORS} actors with a small state document`);
  const before = rssMb("exchange-actors");
  const sidecarBefore = rssMb("exchange-actors-daprd");
  const memRun = `mem-${Date.now()}`;
  const activation = await runLoad({
    baseUrl: ACTOR_SIDECAR,
    concurrency: 32,
    durationMs: 600_000,
    maxRequests: MEMORY_ACTORS,
    next: (i) => ({ method: "POST", path: `/v1.0/actors/BenchActor/${memRun}-${i}/method/touch` }),
    ok: (s) => s === 200,
  });
  const after = rssMb("exchange-actors");
  report.memory = {
    actors: MEMORY_ACTORS,
    actorHostRssMbBefore: Math.round(before),
    actorHostRssMbAfter: Math.round(after),
    bytesPerActor: Math.round(((after - before) * 1024 * 1024) / MEMORY_ACTORS),
    activationsPerSec: activation.rps,
    activationErrors: activation.errors,
    sidecarRssMbBefore: Math.round(sidecarBefore),
    sidecarRssMbAfter: Math.round(rssMb("exchange-actors-daprd")),
  };

  const dir = join(ROOT, "bench-results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "bench.json"), JSON.stringify(report, null, 2));
  writeFileSync(
    join(dir, "latency-vs-candidates.svg"),
    lineChart(
      "Offer → routing latency vs candidate buyers",
      "candidate buyers per auction",
      "ms",
      [
        { name: "p50", points: byCandidates.map((r) => ({ x: r.candidates, y: r.p50Ms })) },
        { name: "p99", points: byCandidates.map((r) => ({ x: r.candidates, y: r.p99Ms })) },
      ],
      true,
    ),
  );
  writeFileSync(
    join(dir, "throughput-vs-concurrency.svg"),
    lineChart("Offers per second vs concurrency (10 candidates)", "concurrent clients", "offers/s", [
      { name: "offers/s", points: byConcurrency.map((r) => ({ x: r.concurrency, y: r.rps })) },
    ]),
  );
  const md = markdown(report, hono, emptyActor, byCandidates, byConcurrency);
  writeFileSync(join(dir, "bench.md"), md);
  console.log(md);
  log(`written to ${dir}/bench.{json,md} and two SVG plots`);
} finally {
  if (started) await stopStack(started);
}

function markdown(
  report: Record<string, unknown>,
  hono: LoadResult,
  emptyActor: LoadResult,
  byK: ByCandidates[],
  byC: (LoadResult & { concurrency: number })[],
): string {
  const auction = report.auction as {
    candidates: number;
    medianUs: number;
    p99Us: number;
    decisionsPerSec: number;
  }[];
  const mem = report.memory as Record<string, number>;
  const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : "n/a");
  return [
    `# Benchmark ${report.at}`,
    "",
    `Machine: ${report.machine}; ${report.seconds} s per measurement, closed loop, keep-alive, 127.0.0.1.`,
    "",
    "## Baselines (same run)",
    row(["what", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"]),
    row(["---", "---", "---", "---", "---", "---"]),
    row(["bare Hono endpoint (GET /health)", hono.rps, hono.p50Ms, hono.p95Ms, hono.p99Ms, hono.errors]),
    row([
      "empty actor method via daprd",
      emptyActor.rps,
      emptyActor.p50Ms,
      emptyActor.p95Ms,
      emptyActor.p99Ms,
      emptyActor.errors,
    ]),
    "",
    "## Offer → routing instruction (Hono → daprd → Call/Seller/Auction/Buyer actors → Redis), concurrency 16",
    row([
      "candidates",
      "offers/s",
      "routed/s",
      "bid evals/s",
      "p50 ms",
      "p95 ms",
      "p99 ms",
      "errors",
      "offers/s ÷ empty actor call/s",
    ]),
    row(["---", "---", "---", "---", "---", "---", "---", "---", "---"]),
    ...byK.map((r) =>
      row([
        r.candidates,
        r.rps,
        r.routedPerSec,
        r.bidEvalsPerSec,
        r.p50Ms,
        r.p95Ms,
        r.p99Ms,
        r.errors,
        ratio(r.rps, emptyActor.rps),
      ]),
    ),
    "",
    "![latency vs candidates](latency-vs-candidates.svg)",
    "",
    "## Where the CPU goes per offer (CPU ms per offer by process; 2 cores give 2,000 CPU ms a second)",
    row(["process", ...byK.map((r) => `${r.candidates} candidates`)]),
    row(["---", ...byK.map(() => "---")]),
    ...Object.keys(byK[0]?.cpuMsPerOffer ?? {}).map((name) =>
      row([name, ...byK.map((r) => r.cpuMsPerOffer[name] ?? 0)]),
    ),
    "",
    "## Concurrency sweep (10 candidates)",
    row(["concurrency", "offers/s", "p50 ms", "p95 ms", "p99 ms", "errors"]),
    row(["---", "---", "---", "---", "---", "---"]),
    ...byC.map((r) => row([r.concurrency, r.rps, r.p50Ms, r.p95Ms, r.p99Ms, r.errors])),
    "",
    "![throughput vs concurrency](throughput-vs-concurrency.svg)",
    "",
    "## Pure auction decision (rankBids), same run",
    row(["candidates", "median µs", "p99 µs", "decisions/s"]),
    row(["---", "---", "---", "---"]),
    ...auction.map((a) => row([a.candidates, a.medianUs, a.p99Us, a.decisionsPerSec])),
    "",
    "## Memory",
    `Activating ${mem.actors} actors with a small state document: actor host RSS ${mem.actorHostRssMbBefore} → ${mem.actorHostRssMbAfter} MB (${mem.bytesPerActor} bytes per active actor); its daprd ${mem.sidecarRssMbBefore} → ${mem.sidecarRssMbAfter} MB.`,
    "",
  ].join("\n");
}
