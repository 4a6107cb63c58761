// RedisDocumentStore against a real Redis (127.0.0.1:6380, started by the integration tier): the hash
// layout daprd's Redis actor state store uses, and a compare-and-set that refuses the lost update the
// previous check-then-write allowed.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { StoreConflict } from "./document-store.ts";
import { RedisDocumentStore } from "./redis-document-store.ts";

const URL = process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380";
const a = new Redis(URL);
const b = new Redis(URL);
afterAll(() => {
  a.disconnect();
  b.disconnect();
});
const key = () => `int-test||BuyerActor||${randomUUID()}||doc`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What daprd's Redis state store does for an actor state upsert (no ETag): data, then version + 1. */
async function daprdUpsert(redis: Redis, k: string, text: string): Promise<void> {
  await redis.multi().hset(k, "data", text).hincrby(k, "version", 1).exec();
}

/**
 * How document-actor.ts wrote before the compare-and-set: read the version (HGET), and if it was the
 * one read with the document, upsert through the sidecar. Between the check and the upsert, another
 * writer's change goes unseen.
 */
async function checkThenUpsert(
  redis: Redis,
  k: string,
  expected: string | null,
  text: string,
  pause: Promise<void>,
) {
  const found = await redis.hget(k, "version");
  if (found !== expected) throw new Error("written elsewhere");
  await pause;
  await daprdUpsert(redis, k, text);
}

describe("RedisDocumentStore", () => {
  it("keeps the document as daprd does: hash fields data and version, counted from 1", async () => {
    const store = new RedisDocumentStore(a);
    const k = key();
    expect(await store.read(k)).toEqual({ unchanged: false, text: null, version: null });
    expect(await store.write(k, null, '{"n":1}')).toBe("1");
    expect(await store.write(k, "1", '{"n":2}')).toBe("2");
    expect(await a.hgetall(k)).toEqual({ data: '{"n":2}', version: "2" });
    expect(await a.ttl(k)).toBe(-1); // no expiry, as daprd without ttlInSeconds
    expect(await store.read(k, "2")).toEqual({ unchanged: true, version: "2" });
    expect(await store.read(k, "1")).toEqual({ unchanged: false, text: '{"n":2}', version: "2" });
  });

  it("follows a write daprd made and refuses to overwrite it from a stale version", async () => {
    const store = new RedisDocumentStore(a);
    const k = key();
    await store.write(k, null, '{"n":1}');
    await daprdUpsert(a, k, '{"n":"sidecar"}');
    await expect(store.write(k, "1", '{"n":2}')).rejects.toMatchObject({ expected: "1", found: "2" });
    expect(await store.read(k, "1")).toEqual({ unchanged: false, text: '{"n":"sidecar"}', version: "2" });
    expect(await store.write(k, "2", '{"n":3}')).toBe("3");
  });

  it("lets exactly one of two writers on the same version win", async () => {
    const k = key();
    await new RedisDocumentStore(a).write(k, null, "{}");
    const results = await Promise.allSettled([
      new RedisDocumentStore(a).write(k, "1", '{"by":"a"}'),
      new RedisDocumentStore(b).write(k, "1", '{"by":"b"}'),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(StoreConflict);
  });

  it("refuses the delayed write the previous check-then-upsert let through (a lost update)", async () => {
    // Two instances of one buyer both read version 1; the slow one's write is delayed past the other's.
    const old = key();
    await daprdUpsert(a, old, '{"holds":[]}');
    let go: () => void = () => undefined;
    const pause = new Promise<void>((r) => (go = r));
    const slow = checkThenUpsert(a, old, "1", '{"holds":["slow"]}', pause);
    await sleep(20); // the slow writer has checked the version
    await checkThenUpsert(b, old, "1", '{"holds":["fast"]}', Promise.resolve());
    go();
    await slow; // accepted: the fast writer's hold is gone
    expect(await a.hget(old, "data")).toBe('{"holds":["slow"]}');

    const k = key();
    const store = new RedisDocumentStore(a);
    await store.write(k, null, '{"holds":[]}');
    const delayed = sleep(20).then(() => store.write(k, "1", '{"holds":["slow"]}'));
    await new RedisDocumentStore(b).write(k, "1", '{"holds":["fast"]}');
    await expect(delayed).rejects.toBeInstanceOf(StoreConflict);
    expect(await a.hget(k, "data")).toBe('{"holds":["fast"]}');
  });

  it("sets the expiry in the same write, on the document and the keys named with it", async () => {
    const store = new RedisDocumentStore(a);
    const k = key();
    const auction = key();
    await a.hset(auction, "data", "{}", "version", "1");
    await store.write(k, null, '{"status":"routed"}');
    expect(await a.pttl(k)).toBe(-1);
    const at = Date.now() + 60_000;
    expect(await store.write(k, "1", '{"status":"completed"}', { atMs: at, also: [auction, key()] })).toBe(
      "2",
    );
    for (const x of [k, auction]) {
      expect(await a.pexpiretime(x)).toBe(at);
    }
    // A named key that expires sooner keeps its own expiry: it is only ever brought forward.
    const sooner = key();
    await a.set(sooner, "x", "PX", 30_000);
    const soonAt = await a.pexpiretime(sooner);
    await store.write(k, "2", '{"status":"completed"}', { atMs: at, also: [sooner] });
    expect(await a.pexpiretime(sooner)).toBe(soonAt);
    // A later write keeps its deadline when it says the same; one without an expiry keeps it for good.
    await store.write(k, "3", '{"status":"completed","erased":true}', { atMs: at });
    expect(await a.pexpiretime(k)).toBe(at);
    await store.write(k, "4", '{"status":"routed"}');
    expect(await a.pttl(k)).toBe(-1);
  });

  it("lets Redis drop an expired document: it then reads as none, and a refused write sets nothing", async () => {
    const store = new RedisDocumentStore(a);
    const k = key();
    await store.write(k, null, "{}");
    await expect(store.write(k, null, "{}", { atMs: Date.now() + 50 })).rejects.toBeInstanceOf(StoreConflict);
    expect(await a.pttl(k)).toBe(-1);
    await store.write(k, "1", '{"final":true}', { atMs: Date.now() + 100 });
    await sleep(250);
    expect(await a.exists(k)).toBe(0);
    expect(await store.read(k, "2")).toEqual({ unchanged: false, text: null, version: null });
  });

  it("writes a document's changed entries in its hash in the same compare-and-set; a refused write sets none", async () => {
    const store = new RedisDocumentStore(a);
    const k = key();
    const holds = k.replace(/\|\|doc$/, "||reservations");
    const set = (...ids: string[]) => ids.map((id): [string, string] => [id, `{"id":"${id}"}`]);
    await store.write(k, null, '{"n":1}', null, { key: holds, set: set("c1", "c2", "c3"), del: [] });
    await store.write(k, "1", '{"n":2}', null, { key: holds, set: set("c4"), del: ["c1"] });
    expect(await a.hkeys(holds)).toEqual(expect.arrayContaining(["c2", "c3", "c4"]));
    expect(await a.hlen(holds)).toBe(3);
    // Written elsewhere since version 1: neither the document nor its entries change.
    const refused = new RedisDocumentStore(b).write(k, "1", '{"n":9}', null, {
      key: holds,
      set: set("c9"),
      del: ["c2"],
    });
    await expect(refused).rejects.toBeInstanceOf(StoreConflict);
    expect(await a.hlen(holds)).toBe(3);
    expect(await a.hexists(holds, "c9")).toBe(0);
    expect(await store.read(k, "2", holds)).toEqual({ unchanged: true, version: "2" });
    expect(await store.read(k, "1", holds)).toEqual({
      unchanged: false,
      text: '{"n":2}',
      version: "2",
      entries: { c2: '{"id":"c2"}', c3: '{"id":"c3"}', c4: '{"id":"c4"}' },
    });
    // The hash shares the document's expiry.
    const at = Date.now() + 60_000;
    await store.write(k, "2", '{"n":3}', { atMs: at }, { key: holds, set: [], del: [] });
    expect(await a.pexpiretime(holds)).toBe(at);
    expect(await store.read(key(), null, holds.replace("||reservations", "x||reservations"))).toEqual({
      unchanged: false,
      text: null,
      version: null,
      entries: {},
    });
  });
});
