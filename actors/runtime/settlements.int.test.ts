// Settlement records against a real Redis (127.0.0.1:6380, started by the integration tier): kept for
// the whole dispute window, so a capture retried or finished late still replays its first charge.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { recordSettlement, settlementKeepMs, settlementKey, settlementOf } from "./settlements.ts";

const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
afterAll(() => redis.disconnect());
const DAY_MS = 86_400_000;

describe("settlement records", () => {
  it("outlive the dispute window (30 days by default), not one hour", async () => {
    const buyerId = `byr_${randomUUID()}`;
    const callId = `call_${randomUUID()}`;
    await recordSettlement(redis, buyerId, callId, { outcome: "captured", amountMicros: 15_000_000 }, 30);
    try {
      expect(await settlementOf(redis, buyerId, callId)).toEqual({
        outcome: "captured",
        amountMicros: 15_000_000,
      });
      const ttl = await redis.pttl(settlementKey(buyerId, callId));
      expect(ttl).toBeGreaterThan(30 * DAY_MS);
      expect(ttl).toBeLessThanOrEqual(settlementKeepMs(30));
    } finally {
      await redis.del(settlementKey(buyerId, callId));
    }
  });

  it("follow the configured window, with a day's margin even when refunds are off", () => {
    expect(settlementKeepMs(90)).toBe(91 * DAY_MS);
    expect(settlementKeepMs(0)).toBe(DAY_MS);
  });
});
