// An auction as Postgres keeps it: its `auction.closed` event's recorded winner and inputs, read back
// unpacked and checked (a row the exchange wrote, but JSON from the database is typed here, not trusted).
import { type AuctionInputs, unpackInputs } from "../../actors/auction/inputs.ts";
import type { Decided } from "./replay.ts";

export interface RecordedAuction {
  callId: string;
  eventId: string;
  closedAt: string;
  winner: Decided | null;
  /** Each re-route after the close (`call.rerouted`), in order: the bid that took the call next. */
  reroutes: Decided[];
  /** Undefined for an auction closed before its inputs were recorded (no receipt, no replay). */
  inputs?: AuctionInputs;
}

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isStr = (v: unknown): v is string => typeof v === "string";

export function winnerOf(v: unknown): Decided | null {
  const w = v as Record<string, unknown> | null;
  if (!w || typeof w !== "object") return null;
  if (!isStr(w.bidId) || !isStr(w.buyerId) || !isInt(w.priceMicros)) return null;
  return { bidId: w.bidId, buyerId: w.buyerId, priceMicros: w.priceMicros };
}

/** The recorded auction from an `auction.closed` event row. */
export function recordedAuction(row: {
  eventId: string;
  aggregateId: string;
  occurredAt: string | Date;
  data: unknown;
}): RecordedAuction {
  const d = (row.data ?? {}) as Record<string, unknown>;
  const inputs = unpackInputs(d.inputs);
  return {
    callId: row.aggregateId,
    eventId: row.eventId,
    closedAt: new Date(row.occurredAt).toISOString(),
    winner: winnerOf(d.winner),
    reroutes: [],
    ...(inputs ? { inputs } : {}),
  };
}
