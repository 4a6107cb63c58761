// Subject keys against a real Redis (127.0.0.1:6380, started by the integration tier): each expires a
// while after the last number protected under it (no key per caller kept for good), renewed by every
// protect; within that time the number still opens.
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { protectNumber, revealNumber, SUBJECT_KEY_IDLE_MS, shredSubject, subjectKeyName } from "./pii.ts";
import { PiiKeyring } from "./pii-keys.ts";

const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
afterAll(() => redis.quit());
const keys = new PiiKeyring(Buffer.alloc(32, 3), [{ id: "k1", secret: Buffer.alloc(32, 3) }]);
const number = () => `+1305${String(2_000_000 + Math.floor(Math.random() * 7_999_999))}`;

describe("subject keys", () => {
  it("expire after the idle time, renewed by each protect of the number", async () => {
    const e164 = number();
    const first = await protectNumber(redis, keys, e164);
    const name = subjectKeyName(first.hash);
    try {
      const ttl = await redis.pttl(name);
      expect(ttl).toBeGreaterThan(SUBJECT_KEY_IDLE_MS - 60_000);
      expect(ttl).toBeLessThanOrEqual(SUBJECT_KEY_IDLE_MS);
      await redis.pexpire(name, 5_000); // as if the caller last called almost two days ago
      const again = await protectNumber(redis, keys, e164);
      expect(await redis.pttl(name)).toBeGreaterThan(SUBJECT_KEY_IDLE_MS - 60_000);
      expect(await revealNumber(redis, keys, first)).toBe(e164); // the same key: both still open
      expect(await revealNumber(redis, keys, again)).toBe(e164);
      // Reading (an auction telling a bidder) does not renew it: only offers do.
      await redis.pexpire(name, 5_000);
      await revealNumber(redis, keys, again);
      expect(await redis.pttl(name)).toBeLessThanOrEqual(5_000);
    } finally {
      await shredSubject(redis, first.hash);
    }
    expect(await revealNumber(redis, keys, first)).toBeNull();
  });
});
