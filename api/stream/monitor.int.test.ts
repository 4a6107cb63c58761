// The backlog as the API reports and enforces it, on a real Redis stream: the lag metric, /ready's
// degraded flag (still 200), and 503 events_backlog_full with Retry-After for new offers only.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../actors/platform/logger.ts";
import { createRedis } from "../../actors/platform/redis.ts";
import { offlineApp, TEST_ADMIN_KEY } from "../openapi/test-app.ts";
import { streamMonitor } from "./monitor.ts";

const redis = createRedis("redis://127.0.0.1:6380");
const logger = createLogger("test", "silent");
afterAll(() => redis.quit());

const guards = { backlogMax: 4, readyLagMax: 2, retryAfterSec: 7, pollMs: 60_000, trimMs: 60_000 };
const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}`, "content-type": "application/json" };

/** A stream with one consumer group, `delivered` of its `n` entries delivered and none acknowledged. */
async function backlogged(n: number, delivered: number): Promise<string> {
  const key = `test:stream:${randomUUID()}`;
  for (let i = 0; i < n; i++) await redis.xadd(key, "*", "n", String(i));
  await redis.xgroup("CREATE", key, "exchange-events", "0");
  if (delivered > 0)
    await redis.xreadgroup("GROUP", "exchange-events", "c", "COUNT", delivered, "STREAMS", key, ">");
  return key;
}

async function appOver(n: number, delivered: number) {
  const key = await backlogged(n, delivered);
  const stream = streamMonitor(redis, logger, key, guards);
  await stream.sample();
  return { key, stream, app: offlineApp({ stream }) };
}

const offer = (app: ReturnType<typeof offlineApp>) =>
  app.request("/v1/calls", { method: "POST", headers: { ...admin, "idempotency-key": "k1" }, body: "{}" });

describe("the events backlog in the API", () => {
  it("past the bound, a new offer is refused with 503 events_backlog_full and Retry-After", async () => {
    const { key, stream, app } = await appOver(6, 2); // 2 pending + 4 undelivered
    try {
      const res = await offer(app);
      expect(res.status).toBe(503);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.headers.get("retry-after")).toBe("7");
      expect(await res.json()).toMatchObject({ code: "events_backlog_full", status: 503, retryAfterSec: 7 });
      // A lifecycle event of a call in flight passes the guard (here it then meets the absent sidecar).
      const ev = await app.request(`/v1/calls/call_${"a".repeat(28)}/events`, {
        method: "POST",
        headers: admin,
        body: "{}",
      });
      expect(ev.status).not.toBe(503);
      expect(((await ev.json()) as { code: string }).code).not.toBe("events_backlog_full");
      // Once the group has caught up, the same offer passes the guard (and meets validation).
      await redis.xreadgroup("GROUP", "exchange-events", "c", "COUNT", 10, "STREAMS", key, ">");
      const ids = (await redis.xrange(key, "-", "+")).map(([id]) => id);
      await redis.xack(key, "exchange-events", ...ids);
      await stream.sample();
      expect((await offer(app)).status).toBe(400);
    } finally {
      stream.stop();
      await redis.del(key);
    }
  });

  it("at or under the bound offers pass; /ready says degraded past the lag threshold, with HTTP 200", async () => {
    const { key, stream, app } = await appOver(3, 1);
    try {
      expect((await offer(app)).status).toBe(400);
      const ready = await app.request("/ready");
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({
        status: "ready",
        checks: {},
        degraded: true,
        stream: {
          backlog: 3,
          lagThreshold: 2,
          backlogBound: 4,
          offersRefused: false,
          groups: [{ group: "exchange-events", pending: 1, lag: 2 }],
        },
      });
      await redis.xreadgroup("GROUP", "exchange-events", "c", "COUNT", 10, "STREAMS", key, ">");
      await redis.xack(key, "exchange-events", ...(await redis.xrange(key, "-", "+")).map(([id]) => id));
      await stream.sample();
      expect(await (await app.request("/ready")).json()).toMatchObject({
        degraded: false,
        stream: { backlog: 0 },
      });
    } finally {
      stream.stop();
      await redis.del(key);
    }
  });

  it("exports the backlog, pending and lag per group on /metrics", async () => {
    const { key, stream, app } = await appOver(5, 2);
    try {
      const res = await app.request("/metrics", { headers: admin });
      const text = await res.text();
      expect(text).toContain(`dce_events_stream_backlog{stream="${key}"} 5`);
      expect(text).toContain(`dce_events_stream_pending{stream="${key}",group="exchange-events"} 2`);
      expect(text).toContain(`dce_events_stream_lag{stream="${key}",group="exchange-events"} 3`);
      expect(text).toContain(`dce_events_stream_length{stream="${key}"} 5`);
    } finally {
      stream.stop();
      await redis.del(key);
    }
  });
});
