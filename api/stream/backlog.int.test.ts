// Trimming and backlog against real Redis: only entries every consumer group has acknowledged go; a
// group lagging behind and a delivered-but-unacknowledged entry keep theirs.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createRedis } from "../../actors/platform/redis.ts";
import { readBacklog, trimAcknowledged } from "./backlog.ts";

const redis = createRedis("redis://127.0.0.1:6380");
afterAll(() => redis.quit());

async function stream(n: number): Promise<{ key: string; ids: string[] }> {
  const key = `test:stream:${randomUUID()}`;
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await redis.xadd(key, "*", "data", `{"n":${i}}`)) as string);
  return { key, ids };
}

/** Reads up to `count` new entries for a group's consumer (as daprd does); answers their ids. */
async function deliver(key: string, group: string, count: number): Promise<string[]> {
  const r = (await redis.xreadgroup("GROUP", group, "c1", "COUNT", count, "STREAMS", key, ">")) as
    | [string, [string, string[]][]][]
    | null;
  return (r?.[0]?.[1] ?? []).map(([id]) => id);
}

const remaining = async (key: string) => (await redis.xrange(key, "-", "+")).map(([id]) => id);

describe("trimAcknowledged", () => {
  it("trims nothing while no consumer group exists: the subscriber has not read them yet", async () => {
    const { key, ids } = await stream(5);
    expect(await trimAcknowledged(redis, key)).toEqual({ removed: 0, floor: "" });
    expect(await remaining(key)).toEqual(ids);
  });

  it("keeps everything a lagging group has not acknowledged, and a pending entry", async () => {
    const { key, ids } = await stream(10);
    await redis.xgroup("CREATE", key, "fast", "0");
    await redis.xgroup("CREATE", key, "slow", "0");
    await redis.xack(key, "fast", ...(await deliver(key, "fast", 10)));
    const slow = await deliver(key, "slow", 3);
    await redis.xack(key, "slow", slow[0]!, slow[2]!); // the second entry stays pending
    expect(await readBacklog(redis, key)).toMatchObject({
      length: 10,
      backlog: 8,
      groups: [
        { group: "fast", pending: 0, lag: 0, lastDeliveredId: ids[9] },
        { group: "slow", pending: 1, lag: 7, lastDeliveredId: ids[2] },
      ],
    });
    // Only the first entry is acknowledged by both groups.
    expect(await trimAcknowledged(redis, key)).toEqual({ removed: 1, floor: ids[1] });
    expect(await remaining(key)).toEqual(ids.slice(1));
    // The pending one acknowledged: everything the slow group has read goes, its unread entries stay.
    await redis.xack(key, "slow", slow[1]!);
    expect((await trimAcknowledged(redis, key)).removed).toBe(2);
    expect(await remaining(key)).toEqual(ids.slice(3));
    expect((await readBacklog(redis, key)).backlog).toBe(7);
    // All read and acknowledged: the stream empties, and new entries are counted again.
    await redis.xack(key, "slow", ...(await deliver(key, "slow", 100)));
    expect((await trimAcknowledged(redis, key)).removed).toBe(7);
    expect(await redis.xlen(key)).toBe(0);
    // An emptied stream still has its group (and a backlog of 0), not "no stream".
    expect(await readBacklog(redis, key)).toMatchObject({
      length: 0,
      backlog: 0,
      groups: [{ group: "fast" }, { group: "slow" }],
    });
    await redis.xadd(key, "*", "data", "{}");
    expect(await readBacklog(redis, key)).toMatchObject({ length: 1, backlog: 1 });
    await redis.del(key);
  });

  it("a group that has read nothing keeps the whole stream", async () => {
    const { key, ids } = await stream(4);
    await redis.xgroup("CREATE", key, "idle", "0");
    await redis.xgroup("CREATE", key, "busy", "0");
    await redis.xack(key, "busy", ...(await deliver(key, "busy", 4)));
    expect((await trimAcknowledged(redis, key)).removed).toBe(0);
    expect(await remaining(key)).toEqual(ids);
    expect((await readBacklog(redis, key)).backlog).toBe(4);
    await redis.del(key);
  });

  it("a delivered entry nobody acknowledged is kept even when it is the group's only entry", async () => {
    const { key, ids } = await stream(1);
    await redis.xgroup("CREATE", key, "g", "0");
    await deliver(key, "g", 1);
    expect(await trimAcknowledged(redis, key)).toEqual({ removed: 0, floor: ids[0] });
    expect(await readBacklog(redis, key)).toMatchObject({ backlog: 1, groups: [{ pending: 1, lag: 0 }] });
    await redis.del(key);
  });
});

describe("readBacklog", () => {
  it("counts entries not pending as undelivered when Redis cannot tell the lag (after an XDEL)", async () => {
    const { key, ids } = await stream(5);
    await redis.xgroup("CREATE", key, "g", "0");
    await deliver(key, "g", 2);
    await redis.xdel(key, ids[3]!);
    const raw = (await redis.call("XINFO", "GROUPS", key)) as unknown[][];
    expect(raw[0]![raw[0]!.indexOf("lag") + 1]).toBeNull(); // Redis's own count is unknown here
    expect(await readBacklog(redis, key)).toMatchObject({
      length: 4,
      backlog: 4,
      groups: [{ pending: 2, lag: 2 }],
    });
    await redis.del(key);
  });

  it("never counts more undelivered entries than the stream holds, whatever Redis's lag says", async () => {
    // Redis's lag is entries-added minus the group's entries-read counter; that counter can fall
    // behind (seen after redeliveries and an AOF cut) and then reports a lag for an empty stream,
    // which would refuse every offer. ENTRIESREAD sets the counter the same way here.
    const { key } = await stream(10);
    await redis.call("XGROUP", "CREATE", key, "g", "$", "ENTRIESREAD", "0");
    await redis.xtrim(key, "MAXLEN", 0);
    const raw = (await redis.call("XINFO", "GROUPS", key)) as unknown[][];
    expect(raw[0]![raw[0]!.indexOf("lag") + 1]).toBe(10); // what Redis claims
    expect(await readBacklog(redis, key)).toMatchObject({ length: 0, backlog: 0, groups: [{ lag: 0 }] });
    await redis.del(key);
  });
});
