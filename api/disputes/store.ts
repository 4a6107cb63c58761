// Disputes in Postgres: the view both parties get, lists by call/party/status with a cursor, and the
// domain events of each change, recorded (audited, sent to webhooks) in the writer's transaction.
import { and, asc, eq, gt, type SQL } from "drizzle-orm";
import { type DomainEvent, domainEvent } from "../../actors/kernel/events.ts";
import { recordAudited } from "../audit/audit-log.ts";
import type { Db } from "../db/client.ts";
import { type DisputeRow, type DisputeStatus, disputes } from "../db/dispute-schema.ts";
import type { Principal } from "../deps.ts";
import type { Tx } from "../ledger/ledger.ts";
import { enqueueDeliveries } from "../webhooks/store.ts";

const iso = (t: string | null) => (t === null ? undefined : new Date(t).toISOString());

/** The dispute as the API and its webhooks show it (each party then through the view policy). */
export function disputeView(r: DisputeRow) {
  return {
    id: r.id,
    callId: r.callId,
    buyerId: r.buyerId,
    sellerId: r.sellerId,
    reason: r.reason,
    status: r.status,
    refundMicros: r.refundMicros,
    sellerClawbackMicros: r.sellerClawbackMicros,
    marginClawbackMicros: r.marginClawbackMicros,
    ...(r.detail !== null ? { detail: r.detail } : {}),
    ...(r.evidence !== null ? { evidence: r.evidence } : {}),
    openedAt: iso(r.openedAt)!,
    ...(r.decidedAt !== null ? { decidedAt: iso(r.decidedAt) } : {}),
    timeline: r.timeline,
  };
}

/** Whose disputes a key may list: an admin all, a buyer or seller its own calls'. */
export function partyFilter(p: Principal): SQL | undefined {
  if (p.role === "admin") return undefined;
  return p.role === "buyer"
    ? eq(disputes.buyerId, p.accountId ?? "")
    : eq(disputes.sellerId, p.accountId ?? "");
}

export async function listDisputes(
  db: Db | Tx,
  where: (SQL | undefined)[],
  limit: number,
  cursor?: number,
): Promise<{ rows: DisputeRow[]; nextCursor: string | null }> {
  const rows = await db
    .select()
    .from(disputes)
    .where(and(...where, cursor !== undefined ? gt(disputes.seq, cursor) : undefined))
    .orderBy(asc(disputes.seq))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: rows.length > limit ? String(page.at(-1)!.seq) : null };
}

export const byStatus = (s: DisputeStatus | undefined) => (s ? eq(disputes.status, s) : undefined);

/** `dispute.opened` / `dispute.decided` for the row as it now stands. */
export function disputeEvent(
  type: "dispute.opened" | "dispute.decided",
  r: DisputeRow,
  atMs: number,
): DomainEvent {
  return domainEvent(type, { type: "dispute", id: r.id }, type.slice(8), atMs, disputeView(r));
}

/**
 * Records the events like the events writer does for every event (domain_events once per id, the
 * audit chain, webhook and pixel deliveries), inside the caller's transaction: a dispute change and
 * its announcement commit together or not at all.
 */
export async function announce(tx: Tx, events: DomainEvent[]): Promise<void> {
  const created = await recordAudited(tx, events);
  await enqueueDeliveries(tx, created);
}
