// The shared scenario source: every definition is complete and parses, and the request builders produce
// bodies the API's own schemas accept, in an order whose placeholders are always filled.
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { checkNanpNumber } from "../actors/kernel/phone.ts";
import { CreateApiKey, CreateBuyer, CreateSeller, Deposit } from "../api/schemas/accounts.ts";
import { OfferCall } from "../api/schemas/calls.ts";
import { CreateBuyerCampaign, CreateSellerCampaign } from "../api/schemas/campaigns.ts";
import { scheduleMs } from "./node/arrival.ts";
import { parseThreshold } from "./node/thresholds.ts";
import {
  afterSetupStep,
  checkOffer,
  offerContext,
  offerRequest,
  parseDuration,
  randomCaller,
  SPEC_P99_MS,
  scenarioNames,
  scenarios,
  setupPlan,
  setupRequest,
  withOverrides,
} from "./scenarios.ts";

describe("scenario definitions", () => {
  it.each(scenarioNames)("%s: executor durations parse, VUs and thresholds are complete", (name) => {
    const s = scenarios[name];
    expect(s.name).toBe(name);
    const e = s.executor;
    expect(parseDuration(e.timeUnit)).toBeGreaterThan(0);
    expect(scheduleMs(e)).toBeGreaterThan(0);
    if (e.executor === "ramping-arrival-rate") for (const st of e.stages) parseDuration(st.duration);
    expect(e.maxVUs).toBeGreaterThanOrEqual(e.preAllocatedVUs);
    expect(s.candidates).toBeGreaterThan(0);
    const latency = (s.thresholds.http_req_duration ?? []).map(parseThreshold);
    expect(latency.map((t) => t.aggregation)).toEqual(["p(95)", "p(99)"]);
    expect(s.thresholds.http_req_failed).toEqual(["rate<0.01"]);
    for (const list of Object.values(s.thresholds)) for (const t of list) parseThreshold(t);
  });

  it("holds sustained-load scenarios to the spec's p99", () => {
    for (const name of ["smoke", "steady", "soak"] as const) {
      expect(scenarios[name].thresholds.http_req_duration).toContain(`p(99)<${SPEC_P99_MS}`);
    }
    expect(SPEC_P99_MS).toBe(50);
  });

  it("parses k6 durations", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("2h")).toBe(7_200_000);
    for (const bad of ["", "30", "s", "1d", "-5s"]) expect(() => parseDuration(bad), bad).toThrow();
  });

  it("applies overrides: a constant rate directly, a ramp scaled to its peak and length", () => {
    const steady = withOverrides(scenarios.steady, { rate: 120, duration: "30s", candidates: 4 });
    expect(steady.executor).toMatchObject({ rate: 120, duration: "30s" });
    expect(steady.candidates).toBe(4);
    const burst = withOverrides(scenarios.burst, { rate: 200, duration: "17s" });
    if (burst.executor.executor !== "ramping-arrival-rate") throw new Error("burst ramps");
    expect(Math.max(...burst.executor.stages.map((st) => st.target))).toBe(200);
    expect(burst.executor.startRate).toBe(40);
    expect(scheduleMs(burst.executor)).toBe(17_000);
    expect(withOverrides(scenarios.smoke, {})).toEqual(scenarios.smoke);
  });
});

const SCHEMAS: [RegExp, v.GenericSchema][] = [
  [/^\/v1\/buyers$/, CreateBuyer],
  [/^\/v1\/buyers\/byr_\w+\/deposits$/, Deposit],
  [/^\/v1\/buyers\/byr_\w+\/campaigns$/, CreateBuyerCampaign],
  [/^\/v1\/sellers$/, CreateSeller],
  [/^\/v1\/sellers\/sel_\w+\/campaigns$/, CreateSellerCampaign],
  [/^\/v1\/api-keys$/, CreateApiKey],
];

describe("request builders", () => {
  it("sets up N buyers and a seller with bodies the API accepts, each placeholder captured first", () => {
    const plan = setupPlan("abc123", 3);
    expect(plan).toHaveLength(3 * 3 + 3);
    const vars: Record<string, string> = {};
    let n = 0;
    for (const step of plan) {
      const req = setupRequest(step, vars, "admin-key");
      expect(req.headers.authorization).toBe("Bearer admin-key");
      const schema = SCHEMAS.find(([re]) => re.test(req.path))?.[1];
      expect(schema, req.path).toBeDefined();
      v.parse(schema!, JSON.parse(req.body));
      const id = `${req.path.includes("sellers") ? "sel" : "byr"}_${String(n++).padStart(28, "0")}`;
      afterSetupStep(step, 201, JSON.stringify({ id, key: "seller-key" }), vars);
    }
    expect(Object.keys(vars)).toEqual([
      "buyer0",
      "buyer1",
      "buyer2",
      "seller",
      "sellerCampaign",
      "sellerKey",
    ]);
    expect(new Set(plan.filter((s) => s.idempotencyKey).map((s) => s.idempotencyKey)).size).toBe(3);
    const verticals = plan.map((s) => s.body.vertical).filter(Boolean);
    expect(new Set(verticals)).toEqual(new Set(["lt_abc123"]));
  });

  it("stops setup on a refused step and on a placeholder used before it is captured", () => {
    const [buyer, deposit] = setupPlan("r", 1);
    expect(() => afterSetupStep(buyer!, 400, '{"code":"validation_failed"}', {})).toThrow(
      /buyer 0: HTTP 400/,
    );
    expect(() => setupRequest(deposit!, {}, "k")).toThrow(/\{\{buyer0\}\} used before/);
  });

  it("offers valid calls with a unique Idempotency-Key per iteration", () => {
    const ctx = offerContext("run1", 3, { sellerKey: "sk", sellerCampaign: `scp_${"a".repeat(28)}` });
    const keys = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const req = offerRequest(ctx, i);
      expect(req).toMatchObject({ method: "POST", path: "/v1/calls" });
      expect(req.headers.authorization).toBe("Bearer sk");
      keys.add(req.headers["idempotency-key"]!);
      const body = v.parse(OfferCall, JSON.parse(req.body));
      expect(checkNanpNumber(body.callerNumber).ok, body.callerNumber).toBe(true);
    }
    expect(keys.size).toBe(200);
  });

  it("never makes a fictional 555-01XX number", () => {
    // digits drawn from rand() * 10 (exchange first digit from rand() * 8 + 2): 555-0123, then 555-2123
    const script = [0.4, 0.5, 0.5, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.2, 0.1, 0.2, 0.3];
    const rand = () => script.shift() ?? 0;
    expect(randomCaller(rand)).toBe("+13055552123");
    for (let i = 0; i < 2_000; i++) expect(checkNanpNumber(randomCaller(Math.random)).ok).toBe(true);
  });

  it("counts 201 routed and no_bid as success, anything else as failed", () => {
    expect(checkOffer(201, '{"status":"routed"}')).toBe("routed");
    expect(checkOffer(201, '{"status":"no_bid"}')).toBe("no_bid");
    expect(checkOffer(201, '{"status":"rejected"}')).toBe("failed");
    expect(checkOffer(200, '{"status":"routed"}')).toBe("failed");
    expect(checkOffer(201, "not json")).toBe("failed");
  });
});
