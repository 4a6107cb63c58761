// The one ioredis client per process, for data that is not actor state (targeting index, counters).
import { Redis } from "ioredis";

// Auto-pipelining: the commands issued in one tick (an offer's parallel reads, the replies of other
// offers resolved together) go out in one socket write, and Redis reads them in one. On the offer path
// a socket write costs more than the command it carries (the kernel delivers loopback data in the
// writer's time). Lua scripts run through LuaScript (EVALSHA), never defineCommand: a command defined
// after an auto-pipeline exists is missing from it, and ioredis then crashes the process
// ("pipeline[functionName] is not a function").
export function createRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 3, enableAutoPipelining: true, lazyConnect: false });
  // Connection errors reach each command's caller (the API answers 503); without a listener ioredis
  // would also print every reconnect attempt as an unhandled error event.
  redis.on("error", () => undefined);
  return redis;
}

export type { Redis };
