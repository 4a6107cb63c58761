// The Node load runner: runs a scenario from scenarios.ts (the same definitions the k6 scripts use)
// against the API with an open-model arrival rate and reports k6's figures and threshold verdicts.
// node --import tsx loadtest/runner.ts <scenario> [--duration 30s] [--rate 100] [--candidates 10]
//   [--out file.json] [--strict]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { formatDuration, parseDuration } from "./duration.ts";
import { arrivalOffsets, runArrivals, scheduleMs } from "./node/arrival.ts";
import { httpClient } from "./node/http.ts";
import { buildSummary, formatTable, type Summary } from "./node/report.ts";
import { percentile, Samples } from "./node/stats.ts";
import {
  afterSetupStep,
  checkOffer,
  isScenarioName,
  type Overrides,
  offerContext,
  offerRequest,
  runIdFrom,
  scenarioNames,
  scenarios,
  setupPlan,
  setupRequest,
  withOverrides,
} from "./scenarios.ts";

export interface RunOptions extends Overrides {
  baseUrl?: string;
  adminKey?: string;
  /** Where progress lines go; default stderr for runs longer than 10 s, none for shorter ones. */
  progress?: ((line: string) => void) | false;
}

const ROOT = resolve(import.meta.dirname, "..");

function readAdminKey(): string {
  const fromEnv = process.env.ADMIN_KEY ?? process.env.DCE_ADMIN_API_KEY;
  if (fromEnv) return fromEnv;
  const stateDir = resolve(process.env.DCE_STATE_DIR ?? resolve(ROOT, ".data"));
  const m = /^DCE_ADMIN_API_KEY=(.+)$/m.exec(readFileSync(resolve(stateDir, "secrets.env"), "utf8"));
  if (!m) throw new Error("no admin key: set ADMIN_KEY or run the stack once (.data/secrets.env)");
  return m[1]!;
}

/** "503 actor_unavailable", "201 status=rejected", "0 Error: connect ECONNREFUSED ...": for the report. */
function errorKind(status: number, body: string): string {
  if (status === 0) return `0 ${body.slice(0, 80)}`;
  try {
    const b = JSON.parse(body) as { code?: unknown; status?: unknown };
    return `${status} ${typeof b.code === "string" ? b.code : `status=${String(b.status)}`}`;
  } catch {
    return `${status} ${body.slice(0, 80)}`;
  }
}

export async function runScenario(name: string, opts: RunOptions = {}): Promise<Summary> {
  if (!isScenarioName(name)) throw new Error(`unknown scenario ${name} (one of ${scenarioNames.join(", ")})`);
  const s = withOverrides(scenarios[name], opts);
  const baseUrl = opts.baseUrl ?? process.env.BASE_URL ?? process.env.DCE_API_URL ?? "http://127.0.0.1:8080";
  const adminKey = opts.adminKey ?? readAdminKey();
  const client = httpClient(baseUrl, s.executor.maxVUs);
  const startedAt = new Date().toISOString();
  const runId = runIdFrom(Date.now(), Math.random);
  try {
    const setupStart = performance.now();
    const plan = setupPlan(runId, s.candidates);
    const vars: Record<string, string> = {};
    for (const step of plan) {
      const a = await client.send(setupRequest(step, vars, adminKey));
      afterSetupStep(step, a.status, a.body, vars);
    }
    const ctx = offerContext(runId, s.candidates, vars);
    const setup = { requests: plan.length, ms: performance.now() - setupStart };

    const durations = new Samples();
    const tally = { failed: 0, checksPassed: 0, routed: 0, noBid: 0 };
    const errors: Record<string, number> = {};
    const plannedMs = scheduleMs(s.executor);
    const log = opts.progress ?? (plannedMs > 10_000 ? (l: string) => process.stderr.write(`${l}\n`) : false);
    const arrivals = { started: 0, dropped: 0, maxInFlight: 0 };
    let inFlight = 0;
    let lastCount = 0;
    const t0 = performance.now();
    const timer = log
      ? setInterval(() => {
          const window = durations.sorted(lastCount);
          const elapsed = performance.now() - t0;
          log(
            `[${s.name}] ${formatDuration(elapsed)}/${formatDuration(plannedMs)} reqs ${durations.count} ` +
              `(${(window.length / 5).toFixed(1)}/s last 5s) p95 ${percentile(window, 95).toFixed(1)}ms ` +
              `p99 ${percentile(window, 99).toFixed(1)}ms failed ${tally.failed} dropped ${arrivals.dropped} in-flight ${inFlight}`,
          );
          lastCount = durations.count;
        }, 5_000)
      : undefined;
    const stats = await runArrivals({
      offsets: arrivalOffsets(s.executor),
      maxVUs: s.executor.maxVUs,
      stats: arrivals,
      iterate: async (i) => {
        inFlight++;
        const a = await client.send(offerRequest(ctx, i));
        inFlight--;
        durations.add(a.ms);
        if (a.status === 0 || a.status >= 400) tally.failed++;
        const outcome = checkOffer(a.status, a.body);
        if (outcome === "failed") {
          const kind = errorKind(a.status, a.body);
          errors[kind] = (errors[kind] ?? 0) + 1;
        } else tally.checksPassed++;
        if (outcome === "routed") tally.routed++;
        if (outcome === "no_bid") tally.noBid++;
      },
    }).finally(() => clearInterval(timer));
    return buildSummary(
      s,
      { runId, baseUrl, startedAt, setup },
      {
        durations: durations.sorted(),
        ...tally,
        errors,
        dropped: stats.dropped,
        maxInFlight: stats.maxInFlight,
        testRunMs: performance.now() - t0,
      },
    );
  } finally {
    client.close();
  }
}

function positive(flag: string, text: string): number {
  const n = Number(text);
  if (!(n > 0)) throw new Error(`${flag} must be a positive number, not ${text}`);
  return n;
}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      duration: { type: "string" },
      rate: { type: "string" },
      candidates: { type: "string" },
      out: { type: "string" },
      strict: { type: "boolean", default: false },
    },
  });
  const name = positionals[0];
  if (!name || !isScenarioName(name)) {
    console.error(
      `usage: runner.ts <${scenarioNames.join("|")}> [--duration 30s] [--rate 100] [--candidates 10]`,
    );
    console.error("       [--out file.json] [--strict]");
    process.exit(2);
  }
  const overrides: RunOptions = {};
  if (values.duration) overrides.duration = values.duration;
  if (values.duration) parseDuration(values.duration);
  if (values.rate) overrides.rate = positive("--rate", values.rate);
  if (values.candidates) overrides.candidates = Math.round(positive("--candidates", values.candidates));
  const summary = await runScenario(name, overrides);
  const out = values.out ?? `loadtest/results/${name}-${summary.runId}.json`;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(formatTable(summary));
  console.log(`summary: ${out}`);
  if (values.strict && !summary.ok) process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
