// The Node runner's parts: k6 threshold syntax, exact percentiles, open-model arrival pacing (a fake
// clock, then a real one against a tiny local HTTP server), and the summary's threshold verdicts.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { arrivalOffsets, type Clock, runArrivals, scheduleMs } from "./node/arrival.ts";
import { httpClient } from "./node/http.ts";
import { buildSummary } from "./node/report.ts";
import { percentile, Samples, trend } from "./node/stats.ts";
import { evaluateThreshold, parseThreshold } from "./node/thresholds.ts";
import { type Executor, scenarios } from "./scenarios.ts";

describe("threshold expressions", () => {
  it("parses k6's aggregations and operators", () => {
    expect(parseThreshold("p(95)<250")).toMatchObject({
      aggregation: "p(95)",
      percentile: 95,
      operator: "<",
      value: 250,
    });
    expect(parseThreshold("p(99.9) <= 12.5")).toMatchObject({
      aggregation: "p(99.9)",
      percentile: 99.9,
      operator: "<=",
      value: 12.5,
    });
    expect(parseThreshold("rate<0.01")).toMatchObject({ aggregation: "rate", operator: "<", value: 0.01 });
    expect(parseThreshold("avg<100")).toMatchObject({ aggregation: "avg", value: 100 });
    expect(parseThreshold("max>=3")).toMatchObject({ aggregation: "max", operator: ">=", value: 3 });
    expect(parseThreshold("count==0")).toMatchObject({ aggregation: "count", operator: "==" });
  });

  it("refuses what k6 would refuse", () => {
    for (const bad of ["p95<250", "p(95)", "rate<", "median<3", "p(101)<1", "avg<abc", "<5"]) {
      expect(() => parseThreshold(bad), bad).toThrow(/not a threshold/);
    }
  });

  it("passes strictly below a < bound and fails at it; no samples fail", () => {
    const t = parseThreshold("p(95)<250");
    expect(evaluateThreshold(t, () => 249.9)).toEqual({ ok: true, actual: 249.9 });
    expect(evaluateThreshold(t, () => 250).ok).toBe(false);
    expect(evaluateThreshold(parseThreshold("p(95)<=250"), () => 250).ok).toBe(true);
    expect(evaluateThreshold(parseThreshold("rate>0.99"), () => 0.99).ok).toBe(false);
    expect(evaluateThreshold(t, () => Number.NaN).ok).toBe(false);
    expect(() => evaluateThreshold(t, () => undefined)).toThrow(/no p\(95\)/);
  });
});

describe("latency statistics", () => {
  const oneTo100 = Float64Array.from({ length: 100 }, (_, i) => i + 1);

  it("interpolates percentiles between the closest ranks", () => {
    expect(percentile(oneTo100, 0)).toBe(1);
    expect(percentile(oneTo100, 50)).toBeCloseTo(50.5, 10);
    expect(percentile(oneTo100, 95)).toBeCloseTo(95.05, 10);
    expect(percentile(oneTo100, 99)).toBeCloseTo(99.01, 10);
    expect(percentile(oneTo100, 100)).toBe(100);
    expect(percentile(Float64Array.of(7), 99)).toBe(7);
    expect(percentile(new Float64Array(0), 50)).toBeNaN();
  });

  it("keeps every sample past its first buffer and sorts numerically", () => {
    const s = new Samples();
    for (let i = 5_000; i > 0; i--) s.add(i / 10);
    expect(s.count).toBe(5_000);
    const all = s.sorted();
    expect([all[0], all[1], all[4_999]]).toEqual([0.1, 0.2, 500]);
    expect(s.sorted(4_990).length).toBe(10);
    expect(trend(all)).toMatchObject({ min: 0.1, max: 500, avg: 250.05 });
  });
});

const constant = (rate: number, duration: string): Executor => ({
  executor: "constant-arrival-rate",
  rate,
  timeUnit: "1s",
  duration,
  preAllocatedVUs: 1,
  maxVUs: 100,
});

function fakeClock(): Clock {
  let t = 1_000;
  return {
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
  };
}

describe("arrival schedule", () => {
  it("spaces a constant rate evenly, starting at 0", () => {
    expect([...arrivalOffsets(constant(10, "1s"))]).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect([...arrivalOffsets({ ...constant(30, "2s"), timeUnit: "1m" })]).toEqual([0]);
  });

  it("follows a ramp's integral: n arrivals by the time the ramp has accumulated n", () => {
    const ramp: Executor = {
      executor: "ramping-arrival-rate",
      startRate: 0,
      timeUnit: "1s",
      stages: [{ duration: "2s", target: 10 }],
      preAllocatedVUs: 1,
      maxVUs: 10,
    };
    const offsets = [...arrivalOffsets(ramp)];
    expect(offsets).toHaveLength(10); // ∫ 0→10/s over 2 s
    expect(offsets[1]).toBeCloseTo(Math.sqrt(400_000), 6); // rate(t) = t/200 per s: N(t) = t²/400000
    for (let i = 1; i < offsets.length; i++) expect(offsets[i]!).toBeGreaterThan(offsets[i - 1]!);
    expect([...arrivalOffsets(scenarios.burst.executor)]).toHaveLength(100 + 60 + 500 + 60 + 100);
    expect(scheduleMs(scenarios.burst.executor)).toBe(34_000);
  });

  it("starts each iteration on time without waiting for earlier ones (open model)", async () => {
    const clock = fakeClock();
    const startedAt: number[] = [];
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const done = runArrivals({
      offsets: arrivalOffsets(constant(10, "1s")),
      maxVUs: 100,
      clock,
      iterate: async () => {
        startedAt.push(clock.now() - 1_000);
        await gate; // no iteration finishes until all ten have started
      },
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(startedAt).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    release();
    expect(await done).toEqual({ started: 10, dropped: 0, maxInFlight: 10 });
  });

  it("drops arrivals while maxVUs iterations are in flight, like k6's dropped_iterations", async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const done = runArrivals({
      offsets: arrivalOffsets(constant(10, "1s")),
      maxVUs: 3,
      clock: fakeClock(),
      iterate: () => gate,
    });
    await new Promise((r) => setTimeout(r, 10));
    release();
    expect(await done).toEqual({ started: 3, dropped: 7, maxInFlight: 3 });
  });

  it("keeps the rate against a slow real server: 20 requests at 40/s overlap instead of queueing behind 100 ms answers", async () => {
    let concurrent = 0;
    let peak = 0;
    const server = createServer((_req, res) => {
      peak = Math.max(peak, ++concurrent);
      setTimeout(() => {
        concurrent--;
        res.writeHead(201, { "content-type": "application/json" }).end('{"status":"routed"}');
      }, 100);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const client = httpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 50);
    const statuses: number[] = [];
    try {
      const stats = await runArrivals({
        offsets: arrivalOffsets(constant(40, "500ms")),
        maxVUs: 50,
        iterate: async () =>
          void statuses.push(
            (await client.send({ method: "POST", path: "/", headers: {}, body: "{}" })).status,
          ),
      });
      expect(stats).toMatchObject({ started: 20, dropped: 0 });
      expect(statuses).toEqual(Array(20).fill(201));
      expect(peak).toBeGreaterThanOrEqual(3); // overlapping requests: an open model, not one VU in a loop
    } finally {
      client.close();
      server.close();
    }
  });
});

describe("summary", () => {
  it("evaluates the scenario's thresholds on the measured figures", () => {
    const durations = Float64Array.from({ length: 100 }, (_, i) => (i < 98 ? 10 : 80));
    const summary = buildSummary(
      scenarios.steady,
      { runId: "r", baseUrl: "http://x", startedAt: "t", setup: { requests: 33, ms: 1 } },
      {
        durations,
        failed: 0,
        checksPassed: 100,
        errors: {},
        routed: 90,
        noBid: 10,
        dropped: 0,
        maxInFlight: 4,
        testRunMs: 2_000,
      },
    );
    expect(summary.metrics.http_reqs!.values).toEqual({ count: 100, rate: 50 });
    expect(summary.metrics.bid_evaluations!.values.count).toBe(1_000);
    expect(summary.metrics.http_req_duration!.thresholds).toEqual({
      "p(95)<30": { ok: true },
      "p(99)<50": { ok: false },
    });
    expect(summary.metrics.http_req_failed!.thresholds).toEqual({ "rate<0.01": { ok: true } });
    expect(summary.ok).toBe(false);
  });
});
