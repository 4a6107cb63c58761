// The trimmer's lease against real Redis: of several events-app replicas one trims at a time, and
// another takes over once the holder's lease lapses.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../actors/platform/logger.ts";
import { createRedis } from "../../actors/platform/redis.ts";
import { leaseKey, streamTrimmer } from "./trimmer.ts";

const redis = createRedis("redis://127.0.0.1:6380");
const logger = createLogger("test", "silent");
afterAll(() => redis.quit());

describe("streamTrimmer", () => {
  it("one replica holds the lease and trims acknowledged entries; another takes over when it lapses", async () => {
    const key = `test:stream:${randomUUID()}`;
    for (let i = 0; i < 3; i++) await redis.xadd(key, "*", "n", String(i));
    await redis.xgroup("CREATE", key, "g", "0");
    const read = (await redis.xreadgroup("GROUP", "g", "c", "COUNT", 2, "STREAMS", key, ">")) as [
      string,
      [string, string[]][],
    ][];
    await redis.xack(key, "g", ...read[0]![1].map(([id]) => id));
    const a = streamTrimmer(redis, logger, key, 60_000);
    const b = streamTrimmer(redis, logger, key, 60_000);
    try {
      expect(await a.tick()).toMatchObject({ removed: 2 });
      expect(await b.tick()).toBeNull(); // a holds the lease
      expect(await a.tick()).toMatchObject({ removed: 0 }); // renewed, nothing new to trim
      expect(await redis.xlen(key)).toBe(1); // the undelivered entry stays
      expect(await redis.pttl(leaseKey(key))).toBeGreaterThan(60_000);
      await redis.del(leaseKey(key)); // a's lease lapses (a died)
      expect(await b.tick()).toMatchObject({ removed: 0 });
      expect(await a.tick()).toBeNull();
    } finally {
      a.stop();
      b.stop();
      await redis.del(key, leaseKey(key));
    }
  });
});
