// The duplicate-caller window kept in Redis (one key per buyer and caller hash, expiring with the
// longest window) instead of the buyer's state document, which would otherwise grow with every
// caller. Only the buyer's actor reads and writes its keys, inside its turn, so check-then-mark is
// atomic per buyer.
import type { Redis } from "../platform/redis.ts";

const key = (buyerId: string, callerHash: string) => `dce:seen:${buyerId}:${callerHash}`;

export async function lastSeen(redis: Redis, buyerId: string, callerHash: string): Promise<number | null> {
  const raw = await redis.get(key(buyerId, callerHash));
  return raw === null ? null : Number(raw);
}

export async function markSeen(
  redis: Redis,
  buyerId: string,
  callerHash: string,
  atMs: number,
  keepDays: number,
) {
  await redis.set(key(buyerId, callerHash), String(atMs), "PX", Math.max(1, keepDays) * 86_400_000);
}

/** Data-subject erasure: every buyer's duplicate-window key for this caller goes. */
export async function forgetCallerEverywhere(redis: Redis, callerHash: string): Promise<number> {
  const found: string[] = [];
  for await (const keys of redis.scanStream({ match: key("*", callerHash), count: 1000 })) {
    found.push(...(keys as string[]));
  }
  return found.length > 0 ? await redis.del(...found) : 0;
}
