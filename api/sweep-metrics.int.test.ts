// The overdue-sweep gauge against real Redis: it counts the calls whose sweep is more than a minute
// late, by the API's clock, and nothing due later.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { SWEEP_SET } from "../actors/call/sweeper.ts";
import { createRedis } from "../actors/platform/redis.ts";
import { registry } from "./metrics.ts";
import { watchSweep } from "./sweep-metrics.ts";

const redis = createRedis("redis://127.0.0.1:6380");
afterAll(() => redis.quit());

const gauge = async (name: string) => new RegExp(`^${name} (\\d+)$`, "m").exec(await registry.metrics())?.[1];

describe("dce_call_sweep_overdue", () => {
  it("counts sweep entries more than a minute overdue, not those due later", async () => {
    // A clock near the epoch, so the entries real calls put on the shared set (due in 2026) never count.
    const now = 70_000;
    watchSweep(redis, () => now);
    const [late, lateToo, soon] = [1, 2, 3].map(() => `call_${randomUUID()}`);
    await redis.zadd(SWEEP_SET, 1_000, late!, 9_000, lateToo!, 60_000, soon!);
    try {
      expect(await gauge("dce_call_sweep_overdue")).toBe("2");
      expect(await gauge("dce_call_sweep_readable")).toBe("1");
      await redis.zrem(SWEEP_SET, late!);
      expect(await gauge("dce_call_sweep_overdue")).toBe("1");
    } finally {
      await redis.zrem(SWEEP_SET, late!, lateToo!, soon!);
    }
  });
});
