// Hard-crash helpers for Redis: find the append-only file Redis writes now (7.x multi-part AOF: the
// manifest's last `incr` file), note how far it reached, and crash Redis as the machine would: a plain
// SIGKILL (the kernel keeps every write), or a simulated power loss that cuts the writes after a noted
// offset (what `appendfsync everysec` may not have on disk) before the launcher starts Redis again.
import { readFileSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { expect } from "vitest";
import { callIdOf, pidOf, sleep } from "./chaos.ts";
import { call, randomCaller, uniq } from "./client.ts";
import { STATE_DIR } from "./stack.ts";

const AOF_DIR = join(STATE_DIR, "redis", "appendonlydir");
const REDIS_URL = process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380";

export interface AofMark {
  file: string;
  bytes: number;
  at: number;
}

/** The AOF file Redis appends to now and its size: a point the simulated crash can cut back to. */
export function markAof(): AofMark {
  const manifest = readFileSync(join(AOF_DIR, "appendonly.aof.manifest"), "utf8");
  const incr = [...manifest.matchAll(/^file (\S+) seq \d+ type i$/gm)].map((m) => m[1]!);
  const file = incr.at(-1);
  if (!file) throw new Error("no incremental AOF file in the manifest");
  return { file, bytes: statSync(join(AOF_DIR, file)).size, at: Date.now() };
}

/** Waits until the launcher has started a new Redis that answers (its AOF loaded). */
async function untilRedisBack(before: number): Promise<number> {
  for (let i = 0; i < 160; i++) {
    const pid = (() => {
      try {
        return pidOf("redis");
      } catch {
        return before;
      }
    })();
    if (pid !== before) {
      // One try per poll, no reconnecting or queueing: the time measured is Redis's, not the client's.
      const redis = new Redis(REDIS_URL, {
        maxRetriesPerRequest: 0,
        connectTimeout: 500,
        retryStrategy: () => null,
      });
      redis.on("error", () => undefined);
      const pong = await redis.ping().catch(() => "");
      redis.disconnect();
      if (pong === "PONG") return Date.now();
    }
    await sleep(100);
  }
  throw new Error("Redis did not come back");
}

/** kill -9 of Redis alone: the kernel has every write it made, so its AOF is whole. */
export async function killRedis(): Promise<{ killedAt: number; backAt: number }> {
  const pid = pidOf("redis");
  const killedAt = Date.now();
  process.kill(pid, "SIGKILL");
  return { killedAt, backAt: await untilRedisBack(pid) };
}

/**
 * A machine crash under `everysec`: Redis is frozen (SIGSTOP, so it writes nothing more), its AOF is
 * cut back to `mark` (the writes after it never reached the disk), and it is killed. Redis then loads
 * the shorter file (the cut lands between writes; `aof-load-truncated` would forgive a torn command).
 * Answers how many bytes were cut.
 */
export async function powerLossRedis(mark: AofMark) {
  const pid = pidOf("redis");
  process.kill(pid, "SIGSTOP");
  const path = join(AOF_DIR, mark.file);
  expect(markAof().file, "no AOF rewrite between the mark and the crash").toBe(mark.file);
  const cutBytes = statSync(path).size - mark.bytes;
  truncateSync(path, mark.bytes);
  const killedAt = Date.now();
  // SIGKILL ends a stopped process too; nothing more is sent to it: once the launcher has reaped it, its
  // pid names nothing (or, later, another process).
  process.kill(pid, "SIGKILL");
  return { killedAt, cutBytes, lostMs: killedAt - mark.at, backAt: await untilRedisBack(pid) };
}

type Seller = { key: string; sellerId: string; sellerCampaignId: string };

export interface FlowOutcome {
  callId: string;
  /** The step that got a final refusal (4xx) or never an answer; undefined when all three succeeded. */
  failedAt?: string;
  status?: number;
}

/** One request retried through transient failures (5xx, no answer) for up to `ms`, same keys. */
async function answered(fn: () => Promise<{ status: number }>, ms = 90_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await fn().catch(() => ({ status: 599 }));
    if (r.status < 500 || Date.now() > deadline) return r;
    await sleep(300);
  }
}

/**
 * A billable call (offer, connected, completed) as a seller would drive it through an outage: it
 * retries what failed with the same idempotency keys, and stops at a final refusal (a call the
 * exchange lost may answer 404): the test reconciles whatever happened instead of assuming it.
 */
export async function tolerantFlow(seller: Seller): Promise<FlowOutcome> {
  const idem = uniq();
  const callId = callIdOf(seller.sellerId, idem);
  const body = { sellerCampaignId: seller.sellerCampaignId, callerNumber: randomCaller(), callerState: "FL" };
  const steps: [string, () => Promise<{ status: number }>][] = [
    ["offer", () => call("POST", "/v1/calls", { key: seller.key, idempotencyKey: idem, body })],
    ...[{ type: "connected" }, { type: "completed", durationSec: 95 }].map(
      (ev) =>
        [
          ev.type,
          () =>
            call("POST", `/v1/calls/${callId}/events`, {
              key: seller.key,
              idempotencyKey: `${idem}-${ev.type}`,
              body: ev,
            }),
        ] as [string, () => Promise<{ status: number }>],
    ),
  ];
  for (const [name, fn] of steps) {
    const r = await answered(fn);
    if (r.status >= 300) return { callId, failedAt: name, status: r.status };
  }
  return { callId };
}
