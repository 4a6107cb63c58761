// `npm run bench -- --soak <seconds>`: calls keep flowing (whole lifecycles, as the retention bench
// runs them) while Redis is sampled; with a short retention, memory and the number of actor
// documents level off at (call rate × retention) instead of growing with every call.
import { Redis } from "ioredis";
import { countKeys, usedMemory } from "./redis-memory.ts";
import { retentionMarket, runCalls } from "./retention.ts";

export interface SoakSample {
  atSec: number;
  callsDone: number;
  usedMb: number;
  /** used_memory less the event stream (whose bound is the stream's own trimming). */
  usedNoStreamMb: number;
  keys: number;
  callDocs: number;
  auctionDocs: number;
}

const mb = (b: number) => Math.round((b / 2 ** 20) * 100) / 100;

export async function soak(api: string, adminKey: string, seconds: number, everySec = 5) {
  const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
  // A small pool: the per-caller keys (subject key, duplicate and velocity windows) fill it early.
  const m = await retentionMarket(api, adminKey, 100);
  const started = Date.now();
  let done = 0;
  let retentionSec = 0;
  const flowing = (async () => {
    // In slices, so the count of finished calls is known at every sample.
    while (Date.now() < started + seconds * 1000) {
      const ids = await runCalls(api, m, {
        untilMs: Math.min(Date.now() + 1_000, started + seconds * 1000),
        concurrency: 4,
        from: done * 10 + 1e6,
      });
      done += ids.length;
      // The retention the stack runs with: a call that just finished has about that much life left.
      const last = ids.at(-1);
      if (!retentionSec && last)
        retentionSec = Math.round((await redis.pttl(`exchange-actors||CallActor||${last}||doc`)) / 1000);
    }
  })();
  const samples: SoakSample[] = [];
  const sample = async () => {
    const s = await usedMemory(redis);
    samples.push({
      atSec: Math.round((Date.now() - started) / 1000),
      callsDone: done,
      usedMb: mb(s.used),
      usedNoStreamMb: mb(s.used - s.stream),
      keys: s.keys,
      callDocs: await countKeys(redis, "*||CallActor||*"),
      auctionDocs: await countKeys(redis, "*||AuctionActor||*"),
    });
    console.log(`[bench] soak ${JSON.stringify(samples.at(-1))}`);
  };
  try {
    await sample();
    while (Date.now() < started + seconds * 1000) {
      await new Promise((r) => setTimeout(r, everySec * 1000));
      await sample();
    }
    await flowing;
    return { samples, retentionSec };
  } finally {
    m.close();
    redis.disconnect();
  }
}

export function soakMarkdown(samples: SoakSample[], retentionSec: number): string[] {
  const row = (c: (string | number)[]) => `| ${c.join(" | ")} |`;
  const half = samples.slice(Math.floor(samples.length / 2));
  const span = (k: keyof SoakSample) =>
    half.length ? Math.max(...half.map((s) => s[k])) - Math.min(...half.map((s) => s[k])) : 0;
  const calls = (half.at(-1)?.callsDone ?? 0) - (half[0]?.callsDone ?? 0);
  return [
    `## Soak: Redis while calls keep flowing (retention ${retentionSec} s)`,
    "Whole call lifecycles at concurrency 4, callers from a pool of 100; used_memory from INFO, the event stream's share taken out in the second column (its trimming bounds it).",
    "",
    row([
      "s",
      "calls done",
      "used_memory MB",
      "without stream MB",
      "keys",
      "CallActor docs",
      "AuctionActor docs",
    ]),
    row(["---", "---", "---", "---", "---", "---", "---"]),
    ...samples.map((s) =>
      row([s.atSec, s.callsDone, s.usedMb, s.usedNoStreamMb, s.keys, s.callDocs, s.auctionDocs]),
    ),
    "",
    `Second half of the soak: ${calls} more calls finished; the range of used_memory without the stream was ${Math.round(span("usedNoStreamMb") * 100) / 100} MB, of CallActor documents ${span("callDocs")}, of keys ${span("keys")}.`,
    "",
  ];
}
