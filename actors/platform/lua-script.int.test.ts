// Lua scripts on the auto-pipelining client against a real Redis (127.0.0.1:6380, started by the
// integration tier): a script Redis does not hold yet is sent once whole, and scripts issued in the
// same tick as other commands share their pipeline. ioredis's defineCommand crashed there
// ("pipeline[functionName] is not a function") when a command was defined after a pipeline formed.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { LuaScript } from "./lua-script.ts";
import { createRedis } from "./redis.ts";

const redis = createRedis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
afterAll(() => redis.quit());

describe("LuaScript", () => {
  it("runs a script Redis has never seen (EVAL once), then by its SHA", async () => {
    // Unique text: no other test's SCRIPT LOAD can have cached it.
    const tag = randomUUID();
    const script = new LuaScript(`-- ${tag}\nreturn {KEYS[1], ARGV[1], tonumber(ARGV[2]) + 1}`);
    expect(await redis.script("EXISTS", script.sha)).toEqual([0]);
    expect(await script.run(redis, ["k"], ["a", 41])).toEqual(["k", "a", 42]);
    expect(await redis.script("EXISTS", script.sha)).toEqual([1]);
    expect(await script.run(redis, ["k2"], ["b", 1])).toEqual(["k2", "b", 2]);
  });

  it("shares a tick's pipeline with plain commands, first use included", async () => {
    const key = `dce:test:lua:${randomUUID()}`;
    const incr = new LuaScript(`-- ${randomUUID()}\nreturn redis.call("INCRBY", KEYS[1], ARGV[1])`);
    // All issued in one tick: a plain command forms the auto-pipeline before the script's first use.
    const plain = redis.set(key, "0");
    const runs = Array.from({ length: 50 }, () => incr.run<number>(redis, [key], [2]));
    const reads = Array.from({ length: 5 }, () => redis.exists(key));
    await plain;
    const results = await Promise.all(runs);
    expect(await Promise.all(reads)).toEqual([1, 1, 1, 1, 1]);
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => 2 * (i + 1)));
    expect(Number(await redis.get(key))).toBe(100);
    await redis.del(key);
  });

  it("passes a script's own error through", async () => {
    const failing = new LuaScript(`-- ${randomUUID()}\nreturn redis.error_reply("DCE nope")`);
    await expect(failing.run(redis, [], [])).rejects.toThrow("DCE nope");
  });
});
