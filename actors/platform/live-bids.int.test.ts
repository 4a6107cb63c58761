// Live presence against a real Redis (127.0.0.1:6380, started by the integration tier): an auction asks
// the live-buyer index, which must agree with the buyers' presence sets (several connections, several
// API replicas, disconnects, lapses). Times lie in the past, so pruning never touches a live entry.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { liveBuyers, markAbsent, markPresent } from "./live-bids.ts";

const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
afterAll(() => redis.quit());

const TTL = 15_000;
const buyer = () => `byr_${randomUUID()}`;

describe("live buyers", () => {
  it("finds only the buyers with a connection present now", async () => {
    const t = Date.now() - 120_000;
    const [on, off, never] = [buyer(), buyer(), buyer()];
    await markPresent(redis, on, ["api-1:c1"], TTL, t);
    await markPresent(redis, off, ["api-1:c2"], TTL, t);
    await markAbsent(redis, off, "api-1:c2");
    expect(await liveBuyers(redis, [on, off, never], t + 1_000)).toEqual(new Set([on]));
    expect(await liveBuyers(redis, [on, off, never], t + TTL)).toEqual(new Set());
  });

  it("keeps a buyer live while any connection is, on any replica, until the last lapses", async () => {
    const t = Date.now() - 120_000;
    const b = buyer();
    await markPresent(redis, b, ["api-1:c1"], TTL, t); // lapses at t + 15 s
    await markPresent(redis, b, ["api-2:c1", "api-2:c2"], TTL, t + 10_000); // at t + 25 s
    expect(await liveBuyers(redis, [b], t + 20_000)).toEqual(new Set([b]));
    await markAbsent(redis, b, "api-2:c1");
    expect(await liveBuyers(redis, [b], t + 20_000)).toEqual(new Set([b]));
    await markAbsent(redis, b, "api-2:c2"); // left: api-1's connection, lapsing at t + 15 s
    expect(await liveBuyers(redis, [b], t + 12_000)).toEqual(new Set([b]));
    expect(await liveBuyers(redis, [b], t + 16_000)).toEqual(new Set());
    await markAbsent(redis, b, "api-1:c1");
    expect(await liveBuyers(redis, [b], t + 1_000)).toEqual(new Set());
  });

  it("a refresh after a lapse makes the buyer live again", async () => {
    const t = Date.now() - 120_000;
    const b = buyer();
    await markPresent(redis, b, ["api-1:c1"], TTL, t);
    expect(await liveBuyers(redis, [b], t + 20_000)).toEqual(new Set());
    await markPresent(redis, b, ["api-1:c1"], TTL, t + 20_000);
    expect(await liveBuyers(redis, [b], t + 21_000)).toEqual(new Set([b]));
  });
});
