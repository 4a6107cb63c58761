// The buyer's duplicate-caller window against a real Redis (127.0.0.1:6380, started by the integration
// tier): the one place a caller's last routing to a buyer is kept, now that the state document's copy
// is gone.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { forgetCallerEverywhere, lastSeen, markSeen } from "./recent-callers.ts";

const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
afterAll(() => redis.quit());

const DAY_MS = 86_400_000;

describe("duplicate window in Redis", () => {
  it("knows nothing of a caller never routed, then answers the last routing, per buyer", async () => {
    const [buyer, other, caller] = [`byr_${randomUUID()}`, `byr_${randomUUID()}`, `ph_${randomUUID()}`];
    expect(await lastSeen(redis, buyer, caller)).toBeNull();
    await markSeen(redis, buyer, caller, 1_770_000_000_000, 30);
    await markSeen(redis, buyer, caller, 1_770_000_500_000, 30);
    expect(await lastSeen(redis, buyer, caller)).toBe(1_770_000_500_000);
    expect(await lastSeen(redis, other, caller)).toBeNull();
  });

  it("expires a sighting with the longest window it was marked for, and at least one day", async () => {
    const [buyer, caller] = [`byr_${randomUUID()}`, `ph_${randomUUID()}`];
    await markSeen(redis, buyer, caller, Date.now(), 30);
    const ttl = await redis.pttl(`dce:seen:${buyer}:${caller}`);
    expect(ttl).toBeGreaterThan(29 * DAY_MS);
    expect(ttl).toBeLessThanOrEqual(30 * DAY_MS);
    await markSeen(redis, buyer, caller, Date.now(), 0);
    const short = await redis.pttl(`dce:seen:${buyer}:${caller}`);
    expect(short).toBeGreaterThan(DAY_MS - 60_000);
    expect(short).toBeLessThanOrEqual(DAY_MS);
  });

  it("erasure forgets the caller at every buyer and leaves other callers", async () => {
    const [a, b, caller, kept] = [
      `byr_${randomUUID()}`,
      `byr_${randomUUID()}`,
      `ph_${randomUUID()}`,
      `ph_${randomUUID()}`,
    ];
    await markSeen(redis, a, caller, 1, 30);
    await markSeen(redis, b, caller, 2, 30);
    await markSeen(redis, a, kept, 3, 30);
    expect(await forgetCallerEverywhere(redis, caller)).toBe(2);
    expect(await lastSeen(redis, a, caller)).toBeNull();
    expect(await lastSeen(redis, b, caller)).toBeNull();
    expect(await lastSeen(redis, a, kept)).toBe(3);
  });
});
