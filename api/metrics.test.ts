// /metrics: Prometheus text with request latency by route template, auction outcomes and actor latency,
// for admin keys only.
import { describe, expect, it } from "vitest";
import { auctionOutcomes } from "./metrics.ts";
import { offlineApp, TEST_ADMIN_KEY } from "./openapi/test-app.ts";
import { actorCall } from "./validate.ts";

describe("GET /metrics", () => {
  it("answers 401 without a key", async () => {
    const res = await offlineApp().request("/metrics");
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "unauthorized" });
  });

  it("exposes request, auction and actor metrics to an admin key", async () => {
    const app = offlineApp();
    await app.request("/health");
    await app.request("/v2/nothing");
    auctionOutcomes.inc({ outcome: "routed" });
    await actorCall(Promise.resolve({ ok: true as const, value: 1 }));
    const res = await app.request("/metrics", { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toMatch(
      /http_request_duration_seconds_count\{route="\/health",method="GET",status="200"\} \d+/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_count\{route="unmatched",method="GET",status="404"\} \d+/,
    );
    expect(text).toMatch(/dce_auction_outcomes_total\{outcome="routed"\} \d+/);
    expect(text).toMatch(/dce_actor_call_duration_seconds_count\{result="ok"\} \d+/);
    expect(text).not.toContain("/v2/nothing");
  });
});
