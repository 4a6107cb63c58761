// Prometheus metrics for the API process (prom-client, one registry): request latency by route,
// auction outcomes and actor call latency, plus Node's default process metrics.
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "dce_api_" });

export const httpDuration = new Histogram({
  name: "http_request_duration_seconds",
  help: "API request latency by route template, method and status",
  labelNames: ["route", "method", "status"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const auctionOutcomes = new Counter({
  name: "dce_auction_outcomes_total",
  help: "Call offers by outcome: routed, no_bid or rejected",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

export const actorCallDuration = new Histogram({
  name: "dce_actor_call_duration_seconds",
  help: "Latency of actor calls made by the API, by result: ok, refused or failed",
  labelNames: ["result"] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

/** Carrier requests by provider, route (voice, dial, status) and what the exchange answered. */
export const carrierRequests = new Counter({
  name: "dce_carrier_requests_total",
  help: "Carrier requests (api/telephony) by provider, route and outcome: dial, fallback, hangup, recorded, ignored, refused",
  labelNames: ["provider", "route", "outcome"] as const,
  registers: [registry],
});

export const offersRefused = new Counter({
  name: "dce_offers_refused_backlog_total",
  help: "Call offers refused with 503 events_backlog_full while the domain-events backlog was past its bound",
  registers: [registry],
});

/** Times every request; the label is the matched route template (bounded), never the raw path. */
export function requestMetrics(): MiddlewareHandler {
  return async function requestMetrics(c, next) {
    const end = httpDuration.startTimer();
    try {
      await next();
    } finally {
      const matched = routePath(c, -1);
      const route = matched.endsWith("*") ? "unmatched" : matched;
      end({ route, method: c.req.method, status: String(c.res.status) });
    }
  };
}
