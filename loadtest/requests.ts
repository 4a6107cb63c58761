// The API calls a load run makes, as data: the setup plan (buyers, deposits, campaigns, a seller and its
// key) and each offer. Pure, no k6 or Node imports: part of the scenario source scenarios.ts re-exports.

export interface HttpRequest {
  method: "POST";
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** One setup call; `{{name}}` in path or body is an earlier step's captured value. */
export interface SetupStep {
  label: string;
  path: string;
  body: Record<string, unknown>;
  idempotencyKey?: string;
  capture?: { name: string; field: "id" | "key" };
}

/** What every offer needs, returned by setup (k6 passes it to each iteration as JSON). */
export interface OfferContext {
  runId: string;
  sellerKey: string;
  sellerCampaignId: string;
  candidates: number;
}

/** Buyers bid where callers are; offers are spread over these states. */
const STATES = ["FL", "TX", "CA", "NY"] as const;
const ZIPS: Record<(typeof STATES)[number], string> = { FL: "33101", TX: "75201", CA: "90012", NY: "10001" };

/** A run id that is a valid vertical slug suffix and unique enough per run. */
export function runIdFrom(nowMs: number, rand: () => number): string {
  return `${nowMs.toString(36)}${Math.floor(rand() * 36 ** 4).toString(36)}`;
}

/**
 * N buyers, each with a large deposit and one campaign in the run's own vertical (so no other data on
 * the exchange bids), and one seller with a second-price campaign in that vertical and a seller key.
 * Holds expire after routingTtlSec (5 s, the minimum): the load never completes calls, so short holds
 * keep reservations from piling up in the buyers' state.
 */
export function setupPlan(runId: string, candidates: number): SetupStep[] {
  const vertical = `lt_${runId}`;
  const steps: SetupStep[] = [];
  for (let b = 0; b < candidates; b++) {
    steps.push(
      {
        label: `buyer ${b}`,
        path: "/v1/buyers",
        body: { name: `Load ${runId} buyer ${b}`, timezone: "America/New_York" },
        capture: { name: `buyer${b}`, field: "id" },
      },
      {
        label: `buyer ${b} deposit`,
        path: `/v1/buyers/{{buyer${b}}}/deposits`,
        body: { amountMicros: 1_000_000_000_000 },
        idempotencyKey: `lt-${runId}-deposit-${b}`,
      },
      {
        label: `buyer ${b} campaign`,
        path: `/v1/buyers/{{buyer${b}}}/campaigns`,
        body: {
          name: `Load ${runId} target ${b}`,
          vertical,
          states: [...STATES],
          bidMicros: 2_000_000 + b * 10_000,
          minDurationSec: 60,
          destination: { number: `+1305987${String(b % 10_000).padStart(4, "0")}` },
          caps: {},
        },
      },
    );
  }
  steps.push(
    {
      label: "seller",
      path: "/v1/sellers",
      body: { name: `Load ${runId} seller` },
      capture: { name: "seller", field: "id" },
    },
    {
      label: "seller campaign",
      path: "/v1/sellers/{{seller}}/campaigns",
      body: {
        name: `Load ${runId} source`,
        vertical,
        reserveMicros: 1_000_000,
        auction: "second",
        payout: { type: "share", percent: 70 },
        routingTtlSec: 5,
      },
      capture: { name: "sellerCampaign", field: "id" },
    },
    {
      label: "seller key",
      path: "/v1/api-keys",
      body: { accountId: "{{seller}}", role: "seller" },
      capture: { name: "sellerKey", field: "key" },
    },
  );
  return steps;
}

function fill(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`setup: {{${name}}} used before a step captured it`);
    return value;
  });
}

export function setupRequest(step: SetupStep, vars: Record<string, string>, adminKey: string): HttpRequest {
  const headers: Record<string, string> = {
    authorization: `Bearer ${adminKey}`,
    "content-type": "application/json",
  };
  if (step.idempotencyKey) headers["idempotency-key"] = step.idempotencyKey;
  return {
    method: "POST",
    path: fill(step.path, vars),
    headers,
    body: fill(JSON.stringify(step.body), vars),
  };
}

/** Checks a setup answer (201) and records its captured field; throws with the API's problem. */
export function afterSetupStep(step: SetupStep, status: number, body: string, vars: Record<string, string>) {
  if (status !== 201) throw new Error(`setup ${step.label}: HTTP ${status} ${body.slice(0, 300)}`);
  if (!step.capture) return;
  const value = (JSON.parse(body) as Record<string, unknown>)[step.capture.field];
  if (typeof value !== "string") throw new Error(`setup ${step.label}: no ${step.capture.field} in ${body}`);
  vars[step.capture.name] = value;
}

export function offerContext(runId: string, candidates: number, vars: Record<string, string>): OfferContext {
  const sellerKey = vars.sellerKey;
  const sellerCampaignId = vars.sellerCampaign;
  if (!sellerKey || !sellerCampaignId) throw new Error("setup: the plan did not capture the seller");
  return { runId, sellerKey, sellerCampaignId, candidates };
}

/** A valid NANP number in the area code: exchange [2-9]XX but not N11, never the fictional 555-01XX. */
export function randomCaller(rand: () => number, areaCode = "305"): string {
  const digit = () => Math.floor(rand() * 10);
  for (;;) {
    const exchange = `${2 + Math.floor(rand() * 8)}${digit()}${digit()}`;
    const line = `${digit()}${digit()}${digit()}${digit()}`;
    if (exchange[1] === "1" && exchange[2] === "1") continue;
    if (exchange === "555" && line.startsWith("01")) continue;
    return `+1${areaCode}${exchange}${line}`;
  }
}

/** Offer number `i` of the run: its Idempotency-Key is unique per run, so every offer is a new call. */
export function offerRequest(ctx: OfferContext, i: number, rand: () => number = Math.random): HttpRequest {
  const state = STATES[i % STATES.length]!;
  return {
    method: "POST",
    path: "/v1/calls",
    headers: {
      authorization: `Bearer ${ctx.sellerKey}`,
      "content-type": "application/json",
      "idempotency-key": `lt-${ctx.runId}-${i}`,
    },
    body: JSON.stringify({
      sellerCampaignId: ctx.sellerCampaignId,
      callerNumber: randomCaller(rand),
      callerState: state,
      callerZip: ZIPS[state],
    }),
  };
}

export type OfferOutcome = "routed" | "no_bid" | "failed";

/** 201 with a routing decision (routed or no_bid) is a success; anything else fails the check. */
export function checkOffer(status: number, body: string): OfferOutcome {
  if (status !== 201) return "failed";
  try {
    const s = (JSON.parse(body) as { status?: unknown }).status;
    return s === "routed" || s === "no_bid" ? s : "failed";
  } catch {
    return "failed";
  }
}
