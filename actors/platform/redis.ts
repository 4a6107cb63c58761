// The one ioredis client per process, for data that is not actor state (targeting index, counters).
import { Redis } from "ioredis";

// No auto-pipelining: with it, a Lua command defined on the client (defineCommand) after the first
// auto-pipeline exists is missing from that pipeline, and ioredis then crashes the process
// ("pipeline[functionName] is not a function", then "results[i] is not iterable").
export function createRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 3, enableAutoPipelining: false, lazyConnect: false });
  // Connection errors reach each command's caller (the API answers 503); without a listener ioredis
  // would also print every reconnect attempt as an unhandled error event.
  redis.on("error", () => undefined);
  return redis;
}

export type { Redis };
