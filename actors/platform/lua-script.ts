// A Lua script run by its SHA (EVALSHA), sent whole (EVAL) only when this Redis does not have it yet.
// Used instead of ioredis's defineCommand: a command defined on a client is missing from an
// auto-pipeline created before it was defined, and the clients auto-pipeline (platform/redis.ts).
// EVALSHA and EVAL are built-in commands, present on every pipeline.
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

type Arg = string | number;

export class LuaScript {
  readonly sha: string;

  constructor(readonly lua: string) {
    this.sha = createHash("sha1").update(lua).digest("hex");
  }

  /** Runs the script on `keys` and `args`; answers its reply as Redis gives it. */
  async run<T>(redis: Redis, keys: readonly string[], args: readonly Arg[] = []): Promise<T> {
    try {
      return (await redis.evalsha(this.sha, keys.length, ...keys, ...args)) as T;
    } catch (err) {
      if (!isNoScript(err)) throw err;
      // First use since Redis started (or after SCRIPT FLUSH): EVAL also caches it for the next EVALSHA.
      return (await redis.eval(this.lua, keys.length, ...keys, ...args)) as T;
    }
  }
}

export const isNoScript = (err: unknown): boolean =>
  err instanceof Error && err.message.startsWith("NOSCRIPT");
