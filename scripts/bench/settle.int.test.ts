// The bench's wait between stages against a real Redis (127.0.0.1:6380, started by the integration
// tier): it lasts until nothing in the sweep set is due and the stream has no backlog, and no longer.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { settle } from "./settle.ts";

const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
afterAll(() => redis.quit());

describe("settle", () => {
  it("waits for due sweep entries to go, counting them, and gives up at its bound", async () => {
    const sweepSet = `dce:test:sweep:${randomUUID()}`;
    const stream = `dce:test:stream:${randomUUID()}`; // no such stream: no backlog
    const now = Date.now();
    await redis.zadd(sweepSet, now, "call_a", now + 1_000, "call_b", now + 3_600_000, "call_later");
    let cpu = 0;
    const tick = () => {
      cpu += 10; // each reading 10 ms later: 10 ms over the wait, 5 per expired call
      return { all: cpu };
    };
    const opts = { sweepSet, quietMs: 0, horizonMs: 5_000, cpu: tick };
    setTimeout(() => void redis.zrem(sweepSet, "call_a", "call_b"), 600);
    const s = await settle(redis, stream, { ...opts, maxMs: 10_000 });
    expect(s).toMatchObject({ expired: 2, settled: true, cpuMsPerExpiry: 5 });
    expect(s.waitedMs).toBeGreaterThanOrEqual(500);
    expect(s.waitedMs).toBeLessThan(5_000);
    // An entry due far beyond the horizon (a connected call's maximum duration) is not waited for.
    expect(await settle(redis, stream, { ...opts, maxMs: 10_000 })).toMatchObject({
      expired: 0,
      settled: true,
    });
    await redis.zadd(sweepSet, Date.now(), "call_stuck");
    expect(await settle(redis, stream, { ...opts, maxMs: 400 })).toMatchObject({
      expired: 1,
      settled: false,
    });
    await redis.del(sweepSet);
  });

  it("waits for the stream's consumer group to catch up", async () => {
    const sweepSet = `dce:test:sweep:${randomUUID()}`;
    const stream = `dce:test:stream:${randomUUID()}`;
    await redis.xgroup("CREATE", stream, "g", "$", "MKSTREAM");
    await redis.xadd(stream, "*", "data", "{}");
    setTimeout(async () => {
      const read = (await redis.xreadgroup("GROUP", "g", "c", "COUNT", 10, "STREAMS", stream, ">")) as [
        string,
        [string, string[]][],
      ][];
      for (const [, entries] of read) for (const [id] of entries) await redis.xack(stream, "g", id);
    }, 600);
    const s = await settle(redis, stream, { sweepSet, quietMs: 0, maxMs: 10_000, cpu: () => ({}) });
    expect(s.settled).toBe(true);
    expect(s.waitedMs).toBeGreaterThanOrEqual(500);
    await redis.del(stream);
  });
});
