// `npm run bench`: measures the exchange on this machine and writes a JSON + Markdown report with
// SVG plots to bench-results/. Every figure has a baseline measured in the same run: a bare Hono
// endpoint and an empty actor method through the same daprd. Brings the stack up if none is running.
// Options: --quick (short runs), --memory-actors N[,M...] (active-actor counts to measure memory at;
// default 10000,100000; --quick 2000), --memory-only (just the memory stage), --retention-only (just
// the Redis bytes a finished call leaves, before and after its retention), --soak <seconds> (calls
// flowing while Redis memory is sampled; alone or after the retention stage). A stack started here
// keeps finished calls DCE_CALL_RETENTION_SEC (10 s unless set), so their expiry fits in the run.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { benchAuction } from "../actors/auction/bench.ts";
import {
  API,
  adminKey,
  isReady,
  ROOT,
  sidecarHeaders,
  stackSecret,
  startStack,
  stopStack,
} from "../api/e2e/stack.ts";
import type { PerOffer } from "./bench/counters.ts";
import { stackPids } from "./bench/cpu.ts";
import { type LoadResult, runLoad } from "./bench/driver.ts";
import { buildMarket } from "./bench/market.ts";
import { offerLoad, offerOk, routed } from "./bench/offers.ts";
import { countersMarkdown, targetsMarkdown } from "./bench/report.ts";
import { measureRetention, type RetentionReport } from "./bench/retention.ts";
import { type Settled, settle } from "./bench/settle.ts";
import { soak, soakMarkdown } from "./bench/soak.ts";
import { lineChart } from "./bench/svg.ts";
import { judge, peakRps, type Target } from "./bench/targets.ts";
import { type VoiceRow, voiceLatency, voiceMarkdown } from "./bench/voice.ts";

type ByCandidates = LoadResult & {
  candidates: number;
  bidEvalsPerSec: number;
  routedPerSec: number;
  cpuMsPerOffer: Record<string, number>;
  syscallsPerOffer: Record<string, number>;
  perOffer: PerOffer;
};

const quick = process.argv.includes("--quick");
const memArg = process.argv.indexOf("--memory-actors");
const MEMORY_ACTORS = (memArg > 0 ? process.argv[memArg + 1]! : quick ? "2000" : "10000,100000")
  .split(",")
  .map(Number)
  .sort((a, b) => a - b);
const memoryOnly = process.argv.includes("--memory-only");
const retentionOnly = process.argv.includes("--retention-only");
const soakArg = process.argv.indexOf("--soak");
const SOAK_SEC = soakArg > 0 ? Number(process.argv[soakArg + 1]) : 0;
const RETENTION_CALLS = quick ? 200 : 1000;
process.env.DCE_CALL_RETENTION_SEC ??= "10";
const SECONDS = quick ? 3 : 8;
const ACTOR_SIDECAR = "http://127.0.0.1:3502"; // the API's daprd: the same hop the API takes to actors
const log = (s: string) => console.log(`[bench] ${s}`);
const HOSTS = ["exchange-actors", "exchange-actors-2"] as const; // the actor host replicas
const round1 = (x: number) => Math.round(x * 10) / 10;

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

  if (memoryOnly) {
    const memory = await measureMemory();
    const dir = join(ROOT, "bench-results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "memory.json"), JSON.stringify({ ...report, memory }, null, 2));
    const md = memoryMarkdown(memory, (cells) => `| ${cells.join(" | ")} |`).join("\n");
    writeFileSync(join(dir, "memory.md"), md);
    console.log(md);
    process.exitCode = 0;
  } else if (retentionOnly || SOAK_SEC > 0) {
    const md: string[] = [];
    if (retentionOnly) {
      log(`retention: ${RETENTION_CALLS} whole calls, then their keys before and after expiry`);
      report.retention = await measureRetention(API, key, RETENTION_CALLS);
      md.push(...retentionMarkdown(report.retention as RetentionReport));
    }
    if (SOAK_SEC > 0) {
      log(`soak: ${SOAK_SEC} s of calls while Redis is sampled`);
      const soaked = await soak(API, key, SOAK_SEC);
      report.soak = soaked;
      md.push(...soakMarkdown(soaked.samples, soaked.retentionSec));
    }
    const dir = join(ROOT, "bench-results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "retention.json"), JSON.stringify(report, null, 2));
    writeFileSync(join(dir, "retention.md"), md.join("\n"));
    console.log(md.join("\n"));
  } else await fullBench(key, report);
} finally {
  if (started) await stopStack(started);
}

async function fullBench(key: string, report: Record<string, unknown>): Promise<void> {
  log("pure auction decision (rankBids)");
  report.auction = await benchAuction();
  // Each stage starts once the calls of the stages before it have expired and their events are
  // recorded (scripts/bench/settle.ts): no stage is measured beside another's leftovers.
  const settles: (Settled & { before: string })[] = [];
  report.settles = settles;
  const between = async (before: string) => {
    const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
    const s = await settle(redis, "domain-events").finally(() => redis.disconnect());
    settles.push({ before, ...s });
    if (s.expired > 0 || !s.settled)
      log(
        `settled before ${before}: ${s.expired} calls expired in ${s.waitedMs} ms${s.settled ? "" : " (gave up)"}`,
      );
  };

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
    next: (i) => ({
      method: "POST",
      path: `/v1.0/actors/BenchActor/bench-${i % 1000}/method/ping`,
      headers: sidecarHeaders(),
    }),
    ok: (s) => s === 200,
  });
  log("baseline: an actor calling another actor, nothing else (BenchActor.relay → BenchActor.ping)");
  const relay = await runLoad({
    baseUrl: ACTOR_SIDECAR,
    concurrency: 16,
    durationMs: SECONDS * 1000,
    next: (i) => ({
      method: "POST",
      path: `/v1.0/actors/BenchActor/relay-${i % 1000}/method/relay`,
      headers: { ...sidecarHeaders(), "content-type": "application/json" },
      body: JSON.stringify([`bench-${(i * 7919) % 1000}`]),
    }),
    ok: (s) => s === 200,
  });
  report.baselines = { hono, emptyActor, relay };

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
    await between(`${k} candidates`);
    log(`offers with ${k} candidates: ${SECONDS}s at concurrency 16`);
    const r = await offerLoad(market, { concurrency: 16, durationMs: SECONDS * 1000 });
    const routedPerSec = Math.round((r.hits / r.seconds) * 10) / 10;
    byCandidates.push({
      ...r,
      candidates: k,
      routedPerSec,
      bidEvalsPerSec: Math.round((r.requests / r.seconds) * k),
    });
  }
  report.byCandidates = byCandidates;

  log("concurrency sweep at 10 candidates");
  const market = await buildMarket(API, key, 10);
  const byConcurrency: (LoadResult & { concurrency: number })[] = [];
  for (const c of quick ? [1, 8, 32] : [1, 4, 8, 16, 32]) {
    await between(`concurrency ${c}`);
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

  await between("the voice webhook rounds");
  log("offer latency through the signed voice webhook vs the JSON offer, alone and at concurrency 16");
  report.voiceWebhook = await voiceLatency(API, market, stackSecret("DCE_TWILIO_AUTH_TOKEN"), SECONDS);

  const targetInput = {
    emptyActorRps: emptyActor.okRps,
    byCandidates: byCandidates.map((r) => ({ ...r, cpuMsTotal: r.cpuMsPerOffer.total ?? Number.NaN })),
    byConcurrency,
  };
  const halfRate = Math.max(1, Math.round(peakRps(targetInput) / 2));
  await between("the open loop");
  log(`open loop at half the peak rate: ${halfRate} offers/s`);
  const halfPeak = await runLoad({
    baseUrl: API,
    concurrency: 64,
    durationMs: SECONDS * 1000,
    ratePerSec: halfRate,
    next: (i) => market.offer(9e8 + i),
    ok: offerOk,
    hit: routed,
  });
  report.halfPeak = { ...halfPeak, ratePerSec: halfRate };
  report.targets = judge({ ...targetInput, halfPeak });
  await between("the memory stage");

  report.memory = await measureMemory();
  log(`retention: ${RETENTION_CALLS} whole calls, then their keys before and after expiry`);
  report.retention = await measureRetention(API, key, RETENTION_CALLS);

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
  log(`targets: ${JSON.stringify(report.targets)}`);
  writeFileSync(join(dir, "bench.md"), md);
  console.log(md);
  log(`written to ${dir}/bench.{json,md} and two SVG plots`);
}

interface HostMemory {
  heapUsedMb: number;
  rssMb: number;
  sidecarRssMb: number;
}

/** Each actor host's heap after a full GC (asked of the process itself) and RSS, and its daprd's RSS. */
async function hostMemory(): Promise<Record<string, HostMemory>> {
  const ports = new Map<string, string>(); // app port → process name
  ports.set("3001", "exchange-actors");
  ports.set("3011", "exchange-actors-2");
  const out: Record<string, HostMemory> = {};
  // BenchActor ids land on either host; ask until both have answered.
  for (let i = 0; Object.keys(out).length < HOSTS.length && i < 200; i++) {
    const res = await fetch(`${ACTOR_SIDECAR}/v1.0/actors/BenchActor/memprobe-${i}/method/memory`, {
      method: "POST",
      headers: sidecarHeaders(),
    });
    const text = await res.text();
    if (!res.ok) {
      log(`memory probe ${i}: ${res.status} ${text.slice(0, 200)}; trying again`);
      await new Promise((r) => setTimeout(r, 1_000));
      continue;
    }
    const m = JSON.parse(text) as { host: string; gc: boolean; heapUsedBytes: number; rssBytes: number };
    const name = ports.get(m.host.split(":")[0]!);
    if (!name || out[name]) continue;
    if (!m.gc) log(`warning: ${name} runs without --expose-gc; heap figures include garbage`);
    out[name] = {
      heapUsedMb: round1(m.heapUsedBytes / 2 ** 20),
      rssMb: round1(m.rssBytes / 2 ** 20),
      sidecarRssMb: round1(rssMb(`${name}-daprd`)),
    };
  }
  return out;
}

interface MemoryStage {
  activeActors: number;
  /** Growth from the previous stage (or the baseline) divided by the actors added since. */
  marginalHeapBytesPerActor: number;
  marginalRssBytesPerActor: number;
  activationsPerSec: number;
  activationErrors: number;
  hosts: Record<string, HostMemory>;
  heapBytesPerActor: number;
  rssBytesPerActor: number;
  sidecarRssBytesPerActor: number;
}
interface MemoryReport {
  baseline: Record<string, HostMemory>;
  stages: MemoryStage[];
}

/**
 * Activates BenchActors (each keeps a small state document) up to each count in MEMORY_ACTORS and
 * reports, per actor host replica, heap and RSS against the same replicas before the first one.
 */
async function measureMemory(): Promise<MemoryReport> {
  const run = `mem-${Date.now()}`;
  const baseline = await hostMemory();
  const stages: MemoryStage[] = [];
  let active = 0;
  for (const target of MEMORY_ACTORS) {
    log(`memory: activating actors ${active} → ${target}`);
    const from = active;
    const activation = await runLoad({
      baseUrl: ACTOR_SIDECAR,
      concurrency: 32,
      durationMs: 3_600_000,
      maxRequests: target - from,
      next: (i) => ({
        method: "POST",
        path: `/v1.0/actors/BenchActor/${run}-${from + i}/method/touch`,
        headers: sidecarHeaders(),
      }),
      ok: (st) => st === 200,
    });
    active = target;
    const now = await hostMemory();
    const sum = (m: Record<string, HostMemory>, k: keyof HostMemory) =>
      HOSTS.reduce((a, h) => a + (m[h]?.[k] ?? 0), 0);
    const perActor = (k: keyof HostMemory) =>
      Math.round(((sum(now, k) - sum(baseline, k)) * 2 ** 20) / target);
    const prev = stages.at(-1);
    const marginal = (k: keyof HostMemory) =>
      prev
        ? Math.round(((sum(now, k) - sum(prev.hosts, k)) * 2 ** 20) / (target - prev.activeActors))
        : perActor(k);
    stages.push({
      activeActors: target,
      marginalHeapBytesPerActor: marginal("heapUsedMb"),
      marginalRssBytesPerActor: marginal("rssMb"),
      activationsPerSec: activation.rps,
      activationErrors: activation.errors,
      hosts: now,
      heapBytesPerActor: perActor("heapUsedMb"),
      rssBytesPerActor: perActor("rssMb"),
      sidecarRssBytesPerActor: perActor("sidecarRssMb"),
    });
    log(`memory at ${target}: ${JSON.stringify(stages.at(-1))}`);
  }
  return { baseline, stages };
}

function memoryMarkdown(mem: MemoryReport, row: (cells: (string | number)[]) => string): string[] {
  const cell = (m: Record<string, HostMemory>, h: string) =>
    m[h] ? `heap ${m[h].heapUsedMb} / RSS ${m[h].rssMb} (daprd ${m[h].sidecarRssMb})` : "n/a";
  return [
    "## Memory per process with active actors",
    "Each actor keeps a small state document (BenchActor.touch); placement spreads them over both actor-host replicas. Heap is measured after a full GC inside each host; MB.",
    "",
    row([
      "active actors",
      ...HOSTS,
      "heap bytes/actor",
      "marginal heap bytes/actor",
      "RSS bytes/actor",
      "marginal RSS bytes/actor",
      "daprd RSS bytes/actor",
      "activations/s",
    ]),
    row(["---", "---", "---", "---", "---", "---", "---", "---", "---"]),
    row([0, ...HOSTS.map((h) => cell(mem.baseline, h)), "", "", "", "", "", ""]),
    ...mem.stages.map((st) =>
      row([
        st.activeActors,
        ...HOSTS.map((h) => cell(st.hosts, h)),
        st.heapBytesPerActor,
        st.marginalHeapBytesPerActor,
        st.rssBytesPerActor,
        st.marginalRssBytesPerActor,
        st.sidecarRssBytesPerActor,
        st.activationsPerSec,
      ]),
    ),
    "",
  ];
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
  const mem = report.memory as MemoryReport;
  const relay = (report.baselines as { relay?: LoadResult } | undefined)?.relay;
  const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : "n/a");
  return [
    `# Benchmark ${report.at}`,
    "",
    `Machine: ${report.machine}; ${report.seconds} s per measurement, closed loop, keep-alive, 127.0.0.1.`,
    "",
    "## Baselines (same run)",
    row(["what", "req/s", "successful req/s", "p50 ms", "p95 ms", "p99 ms", "errors"]),
    row(["---", "---", "---", "---", "---", "---", "---"]),
    row([
      "bare Hono endpoint (GET /health)",
      hono.rps,
      hono.okRps,
      hono.p50Ms,
      hono.p95Ms,
      hono.p99Ms,
      hono.errors,
    ]),
    row([
      "empty actor method via daprd",
      emptyActor.rps,
      emptyActor.okRps,
      emptyActor.p50Ms,
      emptyActor.p95Ms,
      emptyActor.p99Ms,
      emptyActor.errors,
    ]),
    ...(relay
      ? [
          row([
            `an actor calling another, nothing else (an offer's two crossings): ${ratio(relay.okRps, emptyActor.okRps)} the empty call`,
            relay.rps,
            relay.okRps,
            relay.p50Ms,
            relay.p95Ms,
            relay.p99Ms,
            relay.errors,
          ]),
        ]
      : []),
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
        ratio(r.rps, emptyActor.okRps),
      ]),
    ),
    "",
    "![latency vs candidates](latency-vs-candidates.svg)",
    "",
    ...voiceMarkdown(report.voiceWebhook as VoiceRow[]),
    ...countersMarkdown(byK),
    "## Where the CPU goes per offer (CPU ms per offer by process; 2 cores give 2,000 CPU ms a second)",
    row(["process", ...byK.map((r) => `${r.candidates} candidates`)]),
    row(["---", ...byK.map(() => "---")]),
    ...Object.keys(byK[0]?.cpuMsPerOffer ?? {}).map((name) =>
      row([name, ...byK.map((r) => r.cpuMsPerOffer[name] ?? 0)]),
    ),
    "",
    "## System calls per offer by process (reads and writes, from /proc: a count, steady whatever else runs)",
    row(["process", ...byK.map((r) => `${r.candidates} candidates`)]),
    row(["---", ...byK.map(() => "---")]),
    ...Object.keys(byK[0]?.syscallsPerOffer ?? {}).map((name) =>
      row([name, ...byK.map((r) => r.syscallsPerOffer[name] ?? 0)]),
    ),
    "",
    "## Concurrency sweep (10 candidates)",
    row(["concurrency", "offers/s", "p50 ms", "p95 ms", "p99 ms", "errors"]),
    row(["---", "---", "---", "---", "---", "---"]),
    ...byC.map((r) => row([r.concurrency, r.rps, r.p50Ms, r.p95Ms, r.p99Ms, r.errors])),
    "",
    "![throughput vs concurrency](throughput-vs-concurrency.svg)",
    "",
    ((h) =>
      `Open loop at half the peak rate (${h.ratePerSec} offers/s scheduled, latency from the scheduled start): ${h.rps} offers/s, p50 ${h.p50Ms} ms, p95 ${h.p95Ms} ms, p99 ${h.p99Ms} ms, ${h.errors} errors.`)(
      report.halfPeak as LoadResult & { ratePerSec: number },
    ),
    "",
    ...settleMarkdown(report.settles as (Settled & { before: string })[]),
    ...targetsMarkdown(report.targets as Target[]),
    "## Pure auction decision (rankBids), same run",
    row(["candidates", "median µs", "p99 µs", "decisions/s"]),
    row(["---", "---", "---", "---"]),
    ...auction.map((a) => row([a.candidates, a.medianUs.toFixed(1), a.p99Us.toFixed(1), a.decisionsPerSec])),
    "",
    ...memoryMarkdown(mem, row),
    ...retentionMarkdown(report.retention as RetentionReport),
  ].join("\n");
}

/** How long each stage waited for the calls of the stages before it to expire, and what that cost. */
function settleMarkdown(settles: (Settled & { before: string })[]): string[] {
  const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [
    "## Between stages",
    "Each offer stage starts once the calls routed by the stages before it have expired (the market's routings last 5 s) and their events are recorded, so no stage is measured beside another's expiries. The expiry of a routed call (the sweeper, `CallActor.sweep`, `BuyerActor.release`, their events) is work of its own, not an offer's: the CPU of every stack process during each wait, per call expired, is below (an upper bound: the stack's idle background work during the wait is in it too).",
    "",
    row(["before", "calls expired", "waited ms", "CPU ms per expired call", "settled"]),
    row(["---", "---", "---", "---", "---"]),
    ...settles.map((s) =>
      row([s.before, s.expired, s.waitedMs, s.cpuMsPerExpiry ?? "n/a", s.settled ? "yes" : "no"]),
    ),
    "",
  ];
}

/** What a finished call leaves in Redis before and after its retention, measured in one run. */
function retentionMarkdown(r: RetentionReport): string[] {
  const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  const families = [...new Set([...Object.keys(r.beforeExpiry), ...Object.keys(r.afterExpiry)])].sort();
  const ratio =
    r.afterBytesPerCall > 0 ? `${(r.beforeBytesPerCall / r.afterBytesPerCall).toFixed(1)}×` : "all gone";
  return [
    `## Redis bytes per finished call (${r.calls} whole calls, retention ${r.retentionSec} s)`,
    "Keys naming a call (MEMORY USAGE), per call: right after each batch of 40 calls ended (within the retention), and again once the retention passed. Same run, shared 2-core machine.",
    "",
    row(["key family", "bytes/call before expiry", "bytes/call after expiry"]),
    row(["---", "---", "---"]),
    ...families.map((f) =>
      row([`\`${f.replaceAll("|", "\\|")}\``, r.beforeExpiry[f] ?? 0, r.afterExpiry[f] ?? 0]),
    ),
    row(["**total**", r.beforeBytesPerCall, r.afterBytesPerCall]),
    "",
    `used_memory growth per call from before the calls to after their retention: ${r.usedMemoryPerCallAfter} bytes, ${r.usedMemoryPerCallAfterNoStream} without the event stream (the rest of Redis: noise around zero once per-caller keys fill their pool).`,
    "",
    `Before ÷ after (keys naming the call): ${ratio}. ${r.docsMeasured} of ${r.calls} call documents were still there when their batch was measured.`,
    "",
  ];
}
