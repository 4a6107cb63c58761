// Audit log I/O: appends domain events to their hash chains inside the caller's transaction (the chain
// head rows are locked FOR UPDATE, so appends to one chain are serial) and queries them.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { DomainEvent } from "../../actors/kernel/events.ts";
import type { Db } from "../db/client.ts";
import { auditHeads, auditLog } from "../db/compliance-schema.ts";
import { domainEvents } from "../db/schema.ts";
import type { Tx } from "../ledger/ledger.ts";
import { chainOf, GENESIS, payloadDigest, rowHash } from "./chain.ts";

/**
 * Appends events to their hash chains in the order given. Each chain's head row is locked once for
 * the lot (heads in chain order, so two writers appending to the same chains cannot deadlock), the
 * rows are chained here and written in one insert, and the heads move in one update.
 */
export async function appendAudit(tx: Tx, events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  const byChain = new Map<number, DomainEvent[]>();
  for (const e of events) {
    const chain = chainOf(e.aggregate.id);
    const run = byChain.get(chain);
    if (run) run.push(e);
    else byChain.set(chain, [e]);
  }
  const chains = [...byChain.keys()].sort((a, b) => a - b);
  await tx
    .insert(auditHeads)
    .values(chains.map((chain) => ({ chain, seq: 0, hash: GENESIS })))
    .onConflictDoNothing();
  const heads = await tx
    .select({ chain: auditHeads.chain, seq: auditHeads.seq, hash: auditHeads.hash })
    .from(auditHeads)
    .where(inArray(auditHeads.chain, chains))
    .orderBy(asc(auditHeads.chain))
    .for("update");
  const rows: (typeof auditLog.$inferInsert)[] = [];
  for (const head of heads) {
    for (const event of byChain.get(head.chain) ?? []) {
      const row = {
        chain: head.chain,
        seq: head.seq + 1,
        eventId: event.id,
        type: event.type,
        aggregateType: event.aggregate.type,
        aggregateId: event.aggregate.id,
        occurredAt: event.occurredAt,
        payloadDigest: payloadDigest(event.data),
        prevHash: head.hash,
      };
      const hash = rowHash(row);
      rows.push({ ...row, hash });
      head.seq = row.seq;
      head.hash = hash;
    }
  }
  await tx.insert(auditLog).values(rows);
  const moved = heads.map((h) => sql`(${h.chain}::int, ${h.seq}::bigint, ${h.hash}::text)`);
  await tx.execute(sql`
    update ${auditHeads} set seq = v.seq, hash = v.hash
    from (values ${sql.join(moved, sql`, `)}) as v(chain, seq, hash)
    where ${auditHeads.chain} = v.chain`);
}

/**
 * Inserts domain events once per id (one insert for the lot) and audits those that were new, in the
 * order given; answers the new ones. A redelivered event is neither stored nor audited twice.
 */
export async function recordAudited(tx: Tx, events: DomainEvent[]): Promise<DomainEvent[]> {
  if (events.length === 0) return [];
  const inserted = await tx
    .insert(domainEvents)
    .values(
      events.map((event) => ({
        eventId: event.id,
        type: event.type,
        aggregateType: event.aggregate.type,
        aggregateId: event.aggregate.id,
        occurredAt: event.occurredAt,
        data: event.data,
      })),
    )
    .onConflictDoNothing({ target: domainEvents.eventId })
    .returning({ eventId: domainEvents.eventId });
  const fresh = new Set(inserted.map((r) => r.eventId));
  const created = events.filter((e) => fresh.has(e.id));
  await appendAudit(tx, created);
  return created;
}

/** Records an event raised by the API itself (compliance changes): domain event and audit row, once. */
export async function recordApiEvent(db: Db, event: DomainEvent): Promise<void> {
  await db.transaction((tx) => recordAudited(tx, [event]));
}

export async function auditQuery(db: Db, q: { aggregateId?: string; eventId?: string; limit: number }) {
  const filters = [];
  if (q.aggregateId) filters.push(eq(auditLog.aggregateId, q.aggregateId));
  if (q.eventId) filters.push(eq(auditLog.eventId, q.eventId));
  return db
    .select()
    .from(auditLog)
    .where(filters.length ? and(...filters) : sql`true`)
    .orderBy(asc(auditLog.recordedAt), asc(auditLog.chain), asc(auditLog.seq))
    .limit(q.limit);
}
