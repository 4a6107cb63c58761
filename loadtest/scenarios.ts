// The one scenario source for both load runners (k6 scripts in k6/, the Node runner in runner.ts):
// executors, thresholds and request builders as plain data and pure functions, no k6 or Node imports.
import { parseDuration } from "./duration.ts";

export interface Stage {
  duration: string;
  target: number;
}

/** The k6 executor shapes this repo uses (field names as k6 spells them). */
export type Executor =
  | {
      executor: "constant-arrival-rate";
      rate: number;
      timeUnit: string;
      duration: string;
      preAllocatedVUs: number;
      maxVUs: number;
    }
  | {
      executor: "ramping-arrival-rate";
      startRate: number;
      timeUnit: string;
      stages: Stage[];
      preAllocatedVUs: number;
      maxVUs: number;
    };

export interface Scenario {
  name: ScenarioName;
  description: string;
  executor: Executor;
  /** k6 threshold syntax, keyed by metric: every metric here is measured over the offer requests. */
  thresholds: Record<string, string[]>;
  /** Candidate buyers (each with one campaign bidding on every offer) the setup creates. */
  candidates: number;
}

export type ScenarioName = "smoke" | "steady" | "burst" | "soak";

/** DESIGN.md §10: offer → routing instruction through the full stack, p99 ≤ 50 ms at sustained load. */
export const SPEC_P99_MS = 50;

const sustained = {
  http_req_duration: ["p(95)<30", `p(99)<${SPEC_P99_MS}`],
  http_req_failed: ["rate<0.01"],
  checks: ["rate>0.99"],
};

export const scenarios: Record<ScenarioName, Scenario> = {
  smoke: {
    name: "smoke",
    description: "a few offers a second: the setup works and every offer is routed",
    executor: {
      executor: "constant-arrival-rate",
      rate: 5,
      timeUnit: "1s",
      duration: "10s",
      preAllocatedVUs: 2,
      maxVUs: 10,
    },
    thresholds: sustained,
    candidates: 3,
  },
  steady: {
    name: "steady",
    description: "a constant arrival rate for a minute: the spec's sustained-load latency target",
    executor: {
      executor: "constant-arrival-rate",
      rate: 20,
      timeUnit: "1s",
      duration: "1m",
      preAllocatedVUs: 10,
      maxVUs: 200,
    },
    thresholds: sustained,
    candidates: 10,
  },
  burst: {
    name: "burst",
    description: "a baseline, a jump to 5x within 2 s held for 10 s, and back: queueing and recovery",
    executor: {
      executor: "ramping-arrival-rate",
      startRate: 10,
      timeUnit: "1s",
      stages: [
        { duration: "10s", target: 10 },
        { duration: "2s", target: 50 },
        { duration: "10s", target: 50 },
        { duration: "2s", target: 10 },
        { duration: "10s", target: 10 },
      ],
      preAllocatedVUs: 20,
      maxVUs: 400,
    },
    // A burst is not sustained load: the spec's p99 is not its target, error rate and p99 < 250 ms are.
    thresholds: {
      http_req_duration: ["p(95)<100", "p(99)<250"],
      http_req_failed: ["rate<0.01"],
      checks: ["rate>0.99"],
    },
    candidates: 10,
  },
  soak: {
    name: "soak",
    description: "a moderate constant rate for 30 minutes: leaks, growing state, latency drift",
    executor: {
      executor: "constant-arrival-rate",
      rate: 10,
      timeUnit: "1s",
      duration: "30m",
      preAllocatedVUs: 20,
      maxVUs: 200,
    },
    thresholds: sustained,
    candidates: 10,
  },
};

export const scenarioNames: ScenarioName[] = ["smoke", "steady", "burst", "soak"];

export function isScenarioName(name: string): name is ScenarioName {
  return (scenarioNames as string[]).includes(name);
}

export interface Overrides {
  /** The run's length; a ramping executor's stages are stretched or shrunk in proportion. */
  duration?: string;
  /** Iterations per timeUnit; a ramping executor's stages are scaled so its peak equals this. */
  rate?: number;
  candidates?: number;
}

/** The scenario with command-line / __ENV overrides applied (both runners call this). */
export function withOverrides(s: Scenario, o: Overrides): Scenario {
  const candidates = o.candidates ?? s.candidates;
  const e = s.executor;
  if (e.executor === "constant-arrival-rate") {
    return {
      ...s,
      candidates,
      executor: { ...e, rate: o.rate ?? e.rate, duration: o.duration ?? e.duration },
    };
  }
  const peak = Math.max(e.startRate, ...e.stages.map((st) => st.target));
  const rateScale = o.rate !== undefined && peak > 0 ? o.rate / peak : 1;
  const total = e.stages.reduce((sum, st) => sum + parseDuration(st.duration), 0);
  const timeScale = o.duration !== undefined && total > 0 ? parseDuration(o.duration) / total : 1;
  const stages = e.stages.map((st) => ({
    duration: `${Math.max(1, Math.round(parseDuration(st.duration) * timeScale))}ms`,
    target: Math.round(st.target * rateScale),
  }));
  return { ...s, candidates, executor: { ...e, startRate: Math.round(e.startRate * rateScale), stages } };
}

export { formatDuration, parseDuration } from "./duration.ts";
export type { HttpRequest, OfferContext, OfferOutcome, SetupStep } from "./requests.ts";
export {
  afterSetupStep,
  checkOffer,
  offerContext,
  offerRequest,
  randomCaller,
  runIdFrom,
  setupPlan,
  setupRequest,
} from "./requests.ts";
