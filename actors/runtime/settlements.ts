// How a buyer's holds ended, kept in Redis (not in the buyer's state document, which would grow with
// every call) for as long as a charge can be disputed: a capture repeated after a crash, a redelivery
// or a settlement finished late by the call's reminder replays the first charge instead of failing.
// Only the call asks for its capture, and never once final: the call's final write brings the
// record's expiry forward to its own document's (actors/call/retention.ts); the dispute-window bound
// below is for a call that never gets there.
import type { Redis } from "../platform/redis.ts";

export interface Settlement {
  outcome: "captured" | "released";
  amountMicros: number;
}

const DAY_MS = 86_400_000;
/** Kept a day past the dispute window, so a record never expires before its charge can last be refunded. */
export const SETTLEMENT_MARGIN_DAYS = 1;

/** How long settlement records live: the dispute window (config `disputeWindowDays`) plus the margin. */
export function settlementKeepMs(disputeWindowDays: number): number {
  return (disputeWindowDays + SETTLEMENT_MARGIN_DAYS) * DAY_MS;
}

export const settlementKey = (buyerId: string, callId: string) => `dce:settled:${buyerId}:${callId}`;

export async function settlementOf(
  redis: Redis,
  buyerId: string,
  callId: string,
): Promise<Settlement | null> {
  const raw = await redis.get(settlementKey(buyerId, callId));
  return raw ? (JSON.parse(raw) as Settlement) : null;
}

export async function recordSettlement(
  redis: Redis,
  buyerId: string,
  callId: string,
  s: Settlement,
  disputeWindowDays: number,
): Promise<void> {
  await redis.set(
    settlementKey(buyerId, callId),
    JSON.stringify(s),
    "PX",
    settlementKeepMs(disputeWindowDays),
  );
}
