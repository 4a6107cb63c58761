// Routing expiry and saga recovery by one sweeper instead of a scheduler reminder per call: calls due a
// visit sit in a Redis sorted set scored by when (a routing's expiry, or a journalled offer step's
// recovery time). One actor host at a time, holding a lease, asks each due CallActor to sweep itself;
// the actor then reschedules or removes its own entry.
import { randomUUID } from "node:crypto";
import type { DaprClient } from "@dapr/dapr";
import { allSettledBounded } from "../kernel/bounded.ts";
import { actorProxy } from "../platform/dapr-client.ts";
import type { Logger } from "../platform/logger.ts";
import type { Redis } from "../platform/redis.ts";

export const SWEEP_SET = "dce:call-sweep";
const LEASE = "dce:call-sweep:lease";
const BATCH = 50;
/**
 * Calls swept at once. Every routed call expires, each expiry costing about what an offer does (the
 * call's turn, the buyer's release, their events), and the calls due in one second were all started at
 * once: a burst that offers arriving meanwhile queued behind. A few at a time spread the same work
 * through the second.
 */
export const SWEEP_CONCURRENCY = 8;

/** The call is due a visit at `dueMs` (the set keeps one entry per call; this replaces it). */
export const scheduleSweep = (redis: Redis, callId: string, dueMs: number) =>
  redis.zadd(SWEEP_SET, dueMs, callId);
export const unscheduleSweep = (redis: Redis, callId: string) => redis.zrem(SWEEP_SET, callId);

// Take the lease when free, or extend it when ours.
const LEASE_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;

export interface SweeperDeps {
  redis: Redis;
  dapr: DaprClient;
  logger: Logger;
  now: () => number;
  intervalMs: number;
}

/** One pass: the due calls, each swept by its actor. Returns how many were visited. */
export async function sweepOnce(deps: SweeperDeps, owner: string): Promise<number> {
  const { redis } = deps;
  const held = await redis.eval(LEASE_SCRIPT, 1, LEASE, owner, deps.intervalMs * 5);
  if (held !== 1) return 0;
  const due = await redis.zrangebyscore(SWEEP_SET, "-inf", deps.now(), "LIMIT", 0, BATCH);
  const results = await allSettledBounded(due, SWEEP_CONCURRENCY, (id) =>
    actorProxy<{ sweep(c: object): Promise<unknown> }>(deps.dapr, "CallActor", id).sweep({}),
  );
  const failed = results.filter((r) => r.status === "rejected");
  if (failed.length > 0) deps.logger.warn({ failed: failed.length }, "call.sweep_failed_retry");
  return due.length;
}

let started: { stop(): void } | undefined;

/** Starts this process's sweeper loop once; every actor host runs one, one of them holds the lease. */
export function startSweeper(deps: SweeperDeps): { stop(): void } {
  if (started) return started;
  const owner = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      // A full batch means more are due: go again at once.
      while (!stopped && (await sweepOnce(deps, owner)) >= BATCH);
    } catch (err) {
      deps.logger.warn({ err }, "call.sweep_error");
    }
    if (!stopped) timer = setTimeout(tick, deps.intervalMs).unref();
  };
  timer = setTimeout(tick, deps.intervalMs).unref();
  started = {
    stop() {
      stopped = true;
      clearTimeout(timer);
      started = undefined;
    },
  };
  return started;
}
