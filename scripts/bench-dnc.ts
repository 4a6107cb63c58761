// DNC benchmark: generates N numbers (default 10 million) into a temporary file, imports them through
// the same streaming path as the CLI, and prints numbers per second, the importer's peak RSS, the Redis
// memory the list takes, lookup latency, and the cost of an audit append. Not part of `npm test`.
//   node --import tsx scripts/bench-dnc.ts [--count 10000000] [--keep]
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { domainEvent } from "../actors/kernel/events.ts";
import { lookupCaller } from "../actors/platform/compliance-store.ts";
import { phoneHash } from "../actors/platform/pii.ts";
import { createRedis } from "../actors/platform/redis.ts";
import { recordApiEvent } from "../api/audit/audit-log.ts";
import { deleteDncList } from "../api/compliance/dnc.ts";
import { createDb } from "../api/db/client.ts";
import { loadOrCreateSecrets, piiKeysOf } from "./stack/secrets.ts";

const { values } = parseArgs({
  options: { count: { type: "string", default: "10000000" }, keep: { type: "boolean", default: false } },
});
const count = Number(values.count);
const HEAP_CAP_MIB = 256;
const listId = `bench-${Date.now().toString(36)}`;
const file = join(tmpdir(), `${listId}.txt`);

// Distinct valid NANP numbers: NPA 201-999 (N first), NXX 200-999, line 0000-9999, walked by a stride.
const numberAt = (i: number) => {
  const line = i % 10_000;
  const nxx = 200 + (Math.floor(i / 10_000) % 800);
  const npa = 201 + (Math.floor(i / 8_000_000) % 799);
  return `${npa}${nxx}${String(line).padStart(4, "0")}`;
};

async function generate() {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  let chunk = "";
  for (let i = 0; i < count; i++) {
    chunk += `${numberAt(i)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
}

const stateDir = join(import.meta.dirname, "..", ".data");
const pii = piiKeysOf(loadOrCreateSecrets(join(stateDir, "secrets.env")));
const redis = createRedis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
const { db, sql } = createDb(process.env.DATABASE_URL ?? "postgres://dce:dce@127.0.0.1:5433/dce", 12);
const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1] ?? 0);

let t = performance.now();
await generate();
console.log(
  `generated ${count.toLocaleString()} numbers in ${((performance.now() - t) / 1000).toFixed(1)} s`,
);

// The import runs as the CLI in its own process, so its peak RSS is the importer's alone.
const before = await usedMemory();
t = performance.now();
const child = spawnSync(
  process.execPath,
  [
    // A fixed heap cap: the import must fit in it whatever the file's size (bounded memory).
    `--max-old-space-size=${HEAP_CAP_MIB}`,
    "--import",
    "tsx",
    join(import.meta.dirname, "dnc-import.ts"),
    file,
    "--list",
    listId,
    "--source",
    "internal",
  ],
  { encoding: "utf8", env: process.env, maxBuffer: 1 << 20 },
);
if (child.status !== 0) throw new Error(`import failed: ${child.stderr}`);
const seconds = (performance.now() - t) / 1000;
const result = JSON.parse(child.stdout) as { imported: number; shardBits: number; peakRssMiB: number };
const after = await usedMemory();
console.log(
  `imported ${result.imported.toLocaleString()} numbers in ${seconds.toFixed(1)} s: ${Math.round(result.imported / seconds).toLocaleString()} numbers/s (process start included)`,
);
console.log(
  `importer peak RSS ${result.peakRssMiB} MiB under a ${HEAP_CAP_MIB} MiB heap cap (the file is ${((count * 11) / 2 ** 20) | 0} MiB)`,
);
console.log(
  `Redis memory for the list: ${((after - before) / 2 ** 20).toFixed(0)} MiB, ${((after - before) / result.imported).toFixed(1)} bytes/number, ${2 ** result.shardBits} shards`,
);

const samples: number[] = [];
let hits = 0;
for (let i = 0; i < 20_000; i++) {
  const listed = i % 2 === 0;
  const digits = listed ? numberAt((i * 7919) % count) : `555${String(i).padStart(7, "0")}`;
  const hash = phoneHash(pii, `+1${digits}`);
  const s = performance.now();
  const found = await lookupCaller(redis, hash);
  samples.push(performance.now() - s);
  if (found.dncLists.includes(listId)) hits++;
}
samples.sort((a, b) => a - b);
const pct = (p: number) => samples[Math.floor((samples.length - 1) * p)]!.toFixed(3);
console.log(
  `lookup (one EVALSHA, every list): p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms; ${hits}/10000 listed found`,
);

const appends = 2_000;
t = performance.now();
await Promise.all(
  Array.from({ length: 10 }, async (_, w) => {
    for (let i = w; i < appends; i += 10) {
      const id = `bench_${listId}_${i}`;
      await recordApiEvent(
        db,
        domainEvent("compliance.bench_probe", { type: "compliance", id }, "probe", Date.now(), { i }),
      );
    }
  }),
);
const perAppend = (performance.now() - t) / appends;
console.log(
  `audit append (event + chain row, 10 concurrent writers): ${perAppend.toFixed(2)} ms each, ${Math.round(1000 / perAppend)}/s`,
);

if (!values.keep) await deleteDncList(redis, db, listId);
rmSync(file, { force: true });
redis.disconnect();
await sql.end();
