// Redis memory as the retention bench samples it: used_memory, the event stream's share (its bound is
// the stream's own), the key count and the actor documents by type.
import type { Redis } from "ioredis";

export interface Sample {
  /** INFO used_memory, bytes. */
  used: number;
  /** MEMORY USAGE of the events topic's stream (DCE_EVENTS_TOPIC), bytes. */
  stream: number;
  keys: number;
}

const TOPIC = process.env.DCE_EVENTS_TOPIC ?? "domain-events";

export async function usedMemory(redis: Redis): Promise<Sample> {
  const info = await redis.info("memory");
  const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
  const stream = (await redis.memory("USAGE", TOPIC, "SAMPLES", "0").catch(() => 0)) ?? 0;
  return { used, stream, keys: await redis.dbsize() };
}

/** How many keys match `pattern` (one SCAN over the keyspace). */
export async function countKeys(redis: Redis, pattern: string): Promise<number> {
  let n = 0;
  for await (const keys of redis.scanStream({ match: pattern, count: 5000 })) n += (keys as string[]).length;
  return n;
}
