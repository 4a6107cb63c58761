// The one ioredis client per process, for data that is not actor state (targeting index, counters).
import { Redis } from "ioredis";

export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 3, enableAutoPipelining: true, lazyConnect: false });
}

export type { Redis };
