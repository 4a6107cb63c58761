// Measures Redis memory per backlogged domain event: copies real stream entries (as daprd wrote them,
// saved by the chaos tier's Postgres-outage test in .data/stream-sample.json) into a scratch stream
// `count` times over and reports MEMORY USAGE and the server's used_memory growth per entry.
// Usage: node --import tsx scripts/stream-memory.ts [redis-url] [count]   (docs/ops/stream.md)
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";

const root = resolve(import.meta.dirname, "..");
const url = process.argv[2] ?? process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380";
const count = Number(process.argv[3] ?? 100_000);
const samplePath = join(root, process.env.DCE_STATE_DIR ?? ".data", "stream-sample.json");
const sample = JSON.parse(readFileSync(samplePath, "utf8")) as [string, string[]][];
if (sample.length === 0) throw new Error(`${samplePath} holds no entries`);

const redis = new Redis(url);
const key = `dce:measure:stream:${process.pid}`;
const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1]);

try {
  const before = await usedMemory();
  for (let i = 0; i < count; i += 1_000) {
    const batch = redis.pipeline();
    for (let j = i; j < Math.min(count, i + 1_000); j++)
      batch.xadd(key, "*", ...sample[j % sample.length]![1]);
    await batch.exec();
  }
  const after = await usedMemory();
  const usage = Number(await redis.call("MEMORY", "USAGE", key, "SAMPLES", "0"));
  const payload = sample.reduce((n, [, f]) => n + f.reduce((m, s) => m + Buffer.byteLength(s), 0), 0);
  console.log(
    JSON.stringify({
      entries: count,
      distinctSamples: sample.length,
      avgFieldBytes: Math.round(payload / sample.length),
      memoryUsageBytesPerEntry: Math.round(usage / count),
      usedMemoryBytesPerEntry: Math.round((after - before) / count),
    }),
  );
} finally {
  await redis.del(key);
  redis.disconnect();
}
