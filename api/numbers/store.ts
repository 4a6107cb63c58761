// Tracking numbers in Postgres: each change and its audited `seller.number_*` event in one transaction.
import { and, asc, desc, eq, gt, type SQL } from "drizzle-orm";
import { domainEvent } from "../../actors/kernel/events.ts";
import { newId } from "../../actors/kernel/ids.ts";
import { recordAudited } from "../audit/audit-log.ts";
import type { Db } from "../db/client.ts";
import { type TrackingNumberRow, trackingNumbers } from "../db/numbers-schema.ts";
import type { Tx } from "../ledger/ledger.ts";

export interface NumberView {
  number: string;
  sellerId: string;
  sellerCampaignId: string;
  tags: string[];
  status: "active" | "released";
  createdAt: string;
  updatedAt: string;
  releasedAt: string | null;
}

export const viewOf = (r: TrackingNumberRow): NumberView => ({
  number: r.number,
  sellerId: r.sellerId,
  sellerCampaignId: r.sellerCampaignId,
  tags: r.tags ?? [],
  status: r.status,
  createdAt: new Date(r.createdAt).toISOString(),
  updatedAt: new Date(r.updatedAt).toISOString(),
  releasedAt: r.releasedAt ? new Date(r.releasedAt).toISOString() : null,
});

/** Who made a change (the API key), written into its audited event. */
export interface Actor {
  keyId: string;
}

export interface Assignment {
  number: string;
  sellerId: string;
  sellerCampaignId: string;
  tags: string[];
}

async function audit(tx: Tx, type: string, row: TrackingNumberRow, actor: Actor, nowMs: number, extra = {}) {
  const data = { number: row.number, sellerCampaignId: row.sellerCampaignId, tags: row.tags, ...extra };
  const event = domainEvent(type, { type: "seller", id: row.sellerId }, newId("num"), nowMs, {
    ...data,
    keyId: actor.keyId,
  });
  await recordAudited(tx, [event]);
}

/** Assigns a number; null when it is already active (on any seller). */
export async function assignNumber(db: Db, a: Assignment, actor: Actor, nowMs: number) {
  const at = new Date(nowMs).toISOString();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(trackingNumbers)
      .values({ ...a, status: "active", createdAt: at, updatedAt: at })
      .onConflictDoNothing()
      .returning();
    if (!row) return null;
    await audit(tx, "seller.number_assigned", row, actor, nowMs);
    return row;
  });
}

/**
 * The number as the given seller sees it (any seller when null): its active row, else its latest
 * released one. Another seller's number is not found.
 */
export async function findNumber(db: Db | Tx, number: string, sellerId: string | null) {
  const mine = sellerId === null ? undefined : eq(trackingNumbers.sellerId, sellerId);
  const [row] = await db
    .select()
    .from(trackingNumbers)
    .where(and(eq(trackingNumbers.number, number), mine))
    .orderBy(asc(trackingNumbers.status), desc(trackingNumbers.id))
    .limit(1);
  return row;
}

async function activeForUpdate(tx: Tx, number: string, sellerId: string | null) {
  const mine = sellerId === null ? undefined : eq(trackingNumbers.sellerId, sellerId);
  const [row] = await tx
    .select()
    .from(trackingNumbers)
    .where(and(eq(trackingNumbers.number, number), eq(trackingNumbers.status, "active"), mine))
    .for("update");
  return row;
}

export interface Reassignment {
  sellerCampaignId?: string;
  /** The new campaign's seller (set with sellerCampaignId). */
  sellerId?: string;
  tags?: string[];
}

/** Changes an active number's campaign or tags; undefined when it has no active row in scope. */
export async function reassignNumber(
  db: Db,
  number: string,
  scope: string | null,
  change: Reassignment,
  actor: Actor,
  nowMs: number,
) {
  return db.transaction(async (tx) => {
    const before = await activeForUpdate(tx, number, scope);
    if (!before) return undefined;
    const [row] = await tx
      .update(trackingNumbers)
      .set({ ...change, updatedAt: new Date(nowMs).toISOString() })
      .where(eq(trackingNumbers.id, before.id))
      .returning();
    if (!row) return undefined;
    const from = { fromSellerId: before.sellerId, fromSellerCampaignId: before.sellerCampaignId };
    await audit(tx, "seller.number_reassigned", row, actor, nowMs, { ...from, fromTags: before.tags });
    return row;
  });
}

/** Releases an active number (its row stays, released); undefined when it has no active row in scope. */
export async function releaseNumber(
  db: Db,
  number: string,
  scope: string | null,
  actor: Actor,
  nowMs: number,
) {
  const at = new Date(nowMs).toISOString();
  return db.transaction(async (tx) => {
    const before = await activeForUpdate(tx, number, scope);
    if (!before) return undefined;
    const [row] = await tx
      .update(trackingNumbers)
      .set({ status: "released", releasedAt: at, updatedAt: at })
      .where(eq(trackingNumbers.id, before.id))
      .returning();
    if (!row) return undefined;
    await audit(tx, "seller.number_released", row, actor, nowMs);
    return row;
  });
}

export interface NumberQuery {
  sellerId: string | null;
  sellerCampaignId?: string;
  status?: "active" | "released";
  /** The id of the last row of the previous page. */
  after?: number;
  limit: number;
}

/** A page of rows in assignment order (oldest first), one more than asked when more follow. */
export async function listNumbers(db: Db, q: NumberQuery) {
  const filters: (SQL | undefined)[] = [
    q.sellerId === null ? undefined : eq(trackingNumbers.sellerId, q.sellerId),
    q.sellerCampaignId ? eq(trackingNumbers.sellerCampaignId, q.sellerCampaignId) : undefined,
    q.status ? eq(trackingNumbers.status, q.status) : undefined,
    q.after === undefined ? undefined : gt(trackingNumbers.id, q.after),
  ];
  return db
    .select()
    .from(trackingNumbers)
    .where(and(...filters))
    .orderBy(asc(trackingNumbers.id))
    .limit(q.limit + 1);
}
