// The k6 side of the shared scenarios: options, setup and the iteration for one scenario of
// ../scenarios.ts. Each k6/<scenario>.ts re-exports what this builds; run with
// `k6 run loadtest/k6/steady.ts` (BASE_URL, ADMIN_KEY, and optional RATE, DURATION, CANDIDATES).
import { check } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import { Counter } from "k6/metrics";
import type { Options } from "k6/options";
import {
  afterSetupStep,
  checkOffer,
  type HttpRequest,
  type OfferContext,
  offerContext,
  offerRequest,
  runIdFrom,
  type ScenarioName,
  scenarios,
  setupPlan,
  setupRequest,
  withOverrides,
} from "../scenarios.ts";

const BASE_URL = (__ENV.BASE_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");

function send(req: HttpRequest) {
  return http.request(req.method, BASE_URL + req.path, req.body, {
    headers: req.headers,
    tags: { name: `${req.method} ${req.path.replace(/\/(byr|sel)_[0-9a-f]+/, "/{id}")}` },
    timeout: "10s",
  });
}

export function k6Script(name: ScenarioName) {
  const s = withOverrides(scenarios[name], {
    duration: __ENV.DURATION,
    rate: __ENV.RATE ? Number(__ENV.RATE) : undefined,
    candidates: __ENV.CANDIDATES ? Number(__ENV.CANDIDATES) : undefined,
  });
  // Only the scenario's iterations carry phase=offer: thresholds leave out the setup's requests, as
  // the Node runner's figures do.
  const thresholds: Record<string, string[]> = {};
  for (const [metric, list] of Object.entries(s.thresholds)) thresholds[`${metric}{phase:offer}`] = list;
  const options: Options = {
    scenarios: { [s.name]: { ...s.executor, gracefulStop: "10s", tags: { phase: "offer" } } },
    thresholds,
    setupTimeout: "5m",
    summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"],
  };

  const routed = new Counter("routed_calls");
  const noBid = new Counter("no_bid_calls");
  const bidEvaluations = new Counter("bid_evaluations");

  function setup(): OfferContext {
    const adminKey = __ENV.ADMIN_KEY;
    if (!adminKey) throw new Error("set ADMIN_KEY (DCE_ADMIN_API_KEY from .data/secrets.env)");
    const runId = runIdFrom(Date.now(), Math.random);
    const vars: Record<string, string> = {};
    for (const step of setupPlan(runId, s.candidates)) {
      const res = send(setupRequest(step, vars, adminKey));
      afterSetupStep(step, res.status, typeof res.body === "string" ? res.body : "", vars);
    }
    return offerContext(runId, s.candidates, vars);
  }

  function iteration(ctx: OfferContext): void {
    const res = send(offerRequest(ctx, exec.scenario.iterationInTest));
    const outcome = checkOffer(res.status, typeof res.body === "string" ? res.body : "");
    check(outcome, { "offer answered: routed or no_bid": (o) => o !== "failed" });
    if (outcome === "routed") routed.add(1);
    if (outcome === "no_bid") noBid.add(1);
    if (outcome !== "failed") bidEvaluations.add(ctx.candidates);
  }

  return { options, setup, iteration };
}
