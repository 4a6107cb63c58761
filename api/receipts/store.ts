// Reading recorded auctions from Postgres: a call's latest `auction.closed` (a new offer attempt runs
// the auction again; the latest is the one that routed the call) and every auction closed since a time.
import { and, asc, desc, eq, gt, gte } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { domainEvents } from "../db/schema.ts";
import { type RecordedAuction, recordedAuction, winnerOf } from "./record.ts";
import type { Decided } from "./replay.ts";

const cols = {
  eventId: domainEvents.eventId,
  aggregateId: domainEvents.aggregateId,
  occurredAt: domainEvents.occurredAt,
  data: domainEvents.data,
};

export async function latestAuction(db: Db, callId: string): Promise<RecordedAuction | undefined> {
  const [row] = await db
    .select({ ...cols, seq: domainEvents.seq })
    .from(domainEvents)
    .where(
      and(
        eq(domainEvents.aggregateType, "auction"),
        eq(domainEvents.aggregateId, callId),
        eq(domainEvents.type, "auction.closed"),
      ),
    )
    .orderBy(desc(domainEvents.seq))
    .limit(1);
  if (!row) return undefined;
  return { ...recordedAuction(row), reroutes: await reroutesAfter(db, callId, row.seq) };
}

/** The call's re-routes recorded after its auction closed (`call.rerouted` carries the new decision). */
async function reroutesAfter(db: Db, callId: string, afterSeq: number): Promise<Decided[]> {
  const rows = await db
    .select({ data: domainEvents.data })
    .from(domainEvents)
    .where(
      and(
        eq(domainEvents.aggregateType, "call"),
        eq(domainEvents.aggregateId, callId),
        eq(domainEvents.type, "call.rerouted"),
        gt(domainEvents.seq, afterSeq),
      ),
    )
    .orderBy(asc(domainEvents.seq));
  return rows.flatMap((r) => {
    const w = winnerOf(r.data);
    return w ? [w] : [];
  });
}

/**
 * Every auction closed at or after `since` (each offer attempt's), oldest first, at most `limit`, each
 * with the re-routes recorded after it (and before the call's next auction, if any).
 */
export async function auctionsSince(db: Db, since: string, limit: number): Promise<RecordedAuction[]> {
  const rows = await db
    .select({ ...cols, seq: domainEvents.seq })
    .from(domainEvents)
    .where(and(eq(domainEvents.type, "auction.closed"), gte(domainEvents.occurredAt, since)))
    .orderBy(asc(domainEvents.occurredAt), asc(domainEvents.seq))
    .limit(limit);
  const reroutes = await db
    .select({ aggregateId: domainEvents.aggregateId, seq: domainEvents.seq, data: domainEvents.data })
    .from(domainEvents)
    .where(and(eq(domainEvents.type, "call.rerouted"), gte(domainEvents.occurredAt, since)))
    .orderBy(asc(domainEvents.seq));
  const byCall = new Map<string, { seq: number; auction: RecordedAuction }[]>();
  const auctions = rows.map((row) => {
    const auction = recordedAuction(row);
    const list = byCall.get(row.aggregateId) ?? [];
    list.push({ seq: row.seq, auction });
    byCall.set(row.aggregateId, list);
    return auction;
  });
  for (const r of reroutes) {
    const w = winnerOf(r.data);
    // The call's latest auction before the re-route: the one whose ranked bids it chose from.
    const owner = (byCall.get(r.aggregateId) ?? []).filter((a) => a.seq < r.seq).at(-1);
    if (w && owner) owner.auction.reroutes.push(w);
  }
  return auctions;
}
