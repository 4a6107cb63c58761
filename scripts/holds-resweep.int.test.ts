// The holds repair against real Redis and Postgres: every call the read model shows holding its buyer
// goes back on the sweep set, due now; one already there keeps its time; ended calls are left alone.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SWEEP_SET } from "../actors/call/sweeper.ts";
import { throwawayDatabase } from "../api/db/test-database.ts";
import { resweepHolds } from "./holds-resweep.ts";

const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
let handle: Awaited<ReturnType<typeof throwawayDatabase>>;

beforeAll(async () => {
  handle = await throwawayDatabase("resweep");
}, 60_000);
afterAll(async () => {
  redis.disconnect();
  await handle?.drop();
});

describe("holds resweep", () => {
  it("puts every holding call missing from the sweep set back, due now, and nothing else", async () => {
    const tag = randomUUID().slice(0, 8);
    const id = (s: string) => `call_${tag}_${s}`;
    const statuses = {
      a: "routed",
      b: "ringing",
      c: "connected",
      d: "completed",
      e: "expired",
      f: "connected",
    };
    for (const [k, status] of Object.entries(statuses)) {
      await handle.sql`insert into calls (call_id, revision, status, seller_id, seller_campaign_id, attempts, offered_at)
        values (${id(k)}, 1, ${status}, 'sel_x', 'scp_x', 1, now())`;
    }
    const later = 9_999_999_999_999;
    await redis.zadd(SWEEP_SET, later, id("f"));
    const now = 1_800_000_000_000;
    try {
      expect(await resweepHolds(handle.sql, redis, now)).toEqual({ holding: 4, added: 3 });
      const score = async (k: string) => redis.zscore(SWEEP_SET, id(k));
      expect(await Promise.all(["a", "b", "c", "d", "e", "f"].map(score))).toEqual([
        String(now),
        String(now),
        String(now),
        null,
        null,
        String(later),
      ]);
      // Again: nothing missing, nothing moved.
      expect(await resweepHolds(handle.sql, redis, now + 1)).toEqual({ holding: 4, added: 0 });
      expect(await score("a")).toBe(String(now));
    } finally {
      await redis.zrem(SWEEP_SET, ...Object.keys(statuses).map(id));
    }
  });
});
