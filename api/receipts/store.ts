// Reading recorded auctions from Postgres: a call's latest `auction.closed` (a new offer attempt runs
// the auction again; the latest is the one that routed the call) and every auction closed since a time.
import { and, asc, desc, eq, gte } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { domainEvents } from "../db/schema.ts";
import { type RecordedAuction, recordedAuction } from "./record.ts";

const cols = {
  eventId: domainEvents.eventId,
  aggregateId: domainEvents.aggregateId,
  occurredAt: domainEvents.occurredAt,
  data: domainEvents.data,
};

export async function latestAuction(db: Db, callId: string): Promise<RecordedAuction | undefined> {
  const [row] = await db
    .select(cols)
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
  return row ? recordedAuction(row) : undefined;
}

/** Every auction closed at or after `since` (each offer attempt's), oldest first, at most `limit`. */
export async function auctionsSince(db: Db, since: string, limit: number): Promise<RecordedAuction[]> {
  const rows = await db
    .select(cols)
    .from(domainEvents)
    .where(and(eq(domainEvents.type, "auction.closed"), gte(domainEvents.occurredAt, since)))
    .orderBy(asc(domainEvents.occurredAt), asc(domainEvents.seq))
    .limit(limit);
  return rows.map(recordedAuction);
}
