// How a buyer's holds ended, kept an hour in Redis (not in the buyer's state document, which would
// grow with every call): a capture repeated after a crash or a redelivery replays the first charge.
import type { Redis } from "../platform/redis.ts";

export interface Settlement {
  outcome: "captured" | "released";
  amountMicros: number;
}

const KEEP_MS = 3_600_000;
const key = (buyerId: string, callId: string) => `dce:settled:${buyerId}:${callId}`;

export async function settlementOf(
  redis: Redis,
  buyerId: string,
  callId: string,
): Promise<Settlement | null> {
  const raw = await redis.get(key(buyerId, callId));
  return raw ? (JSON.parse(raw) as Settlement) : null;
}

export async function recordSettlement(
  redis: Redis,
  buyerId: string,
  callId: string,
  s: Settlement,
): Promise<void> {
  await redis.set(key(buyerId, callId), JSON.stringify(s), "PX", KEEP_MS);
}
