// Audit log I/O: appends a domain event to its hash chain inside the caller's transaction (the chain
// head row is locked FOR UPDATE, so appends to one chain are serial), walks the chains to verify them.
import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import type { DomainEvent } from "../../actors/kernel/events.ts";
import type { Db } from "../db/client.ts";
import { auditHeads, auditLog } from "../db/compliance-schema.ts";
import { domainEvents } from "../db/schema.ts";
import type { Tx } from "../ledger/ledger.ts";
import {
  AUDIT_CHAINS,
  type ChainBreak,
  chainOf,
  GENESIS,
  payloadDigest,
  rowHash,
  verifyRun,
} from "./chain.ts";

export async function appendAudit(tx: Tx, event: DomainEvent): Promise<void> {
  const chain = chainOf(event.aggregate.id);
  await tx.insert(auditHeads).values({ chain, seq: 0, hash: GENESIS }).onConflictDoNothing();
  const [head] = await tx
    .select({ seq: auditHeads.seq, hash: auditHeads.hash })
    .from(auditHeads)
    .where(eq(auditHeads.chain, chain))
    .for("update");
  const row = {
    chain,
    seq: (head?.seq ?? 0) + 1,
    eventId: event.id,
    type: event.type,
    aggregateType: event.aggregate.type,
    aggregateId: event.aggregate.id,
    occurredAt: event.occurredAt,
    payloadDigest: payloadDigest(event.data),
    prevHash: head?.hash ?? GENESIS,
  };
  const hash = rowHash(row);
  await tx.insert(auditLog).values({ ...row, hash });
  await tx.update(auditHeads).set({ seq: row.seq, hash }).where(eq(auditHeads.chain, chain));
}

/** Inserts a domain event once per id and audits it the first time; true when it was new. */
export async function recordAudited(tx: Tx, event: DomainEvent): Promise<boolean> {
  const inserted = await tx
    .insert(domainEvents)
    .values({
      eventId: event.id,
      type: event.type,
      aggregateType: event.aggregate.type,
      aggregateId: event.aggregate.id,
      occurredAt: event.occurredAt,
      data: event.data,
    })
    .onConflictDoNothing({ target: domainEvents.eventId })
    .returning({ seq: domainEvents.seq });
  if (inserted.length === 0) return false; // a redelivery is not audited twice
  await appendAudit(tx, event);
  return true;
}

/** Records an event raised by the API itself (compliance changes): domain event and audit row, once. */
export async function recordApiEvent(db: Db, event: DomainEvent): Promise<void> {
  await db.transaction((tx) => recordAudited(tx, event));
}

export interface VerifyReport {
  ok: boolean;
  rows: number;
  chains: number;
  brokenAt?: ChainBreak;
}

const PAGE = 5_000;

/**
 * Walks every chain from its genesis to the head read first (rows and head are written in one
 * transaction, so rows appended meanwhile are simply beyond this pass); stops at the first break.
 */
export async function verifyAudit(db: Db): Promise<VerifyReport> {
  let rows = 0;
  for (let chain = 0; chain < AUDIT_CHAINS; chain++) {
    const [head] = await db.select().from(auditHeads).where(eq(auditHeads.chain, chain));
    const end = head?.seq ?? 0;
    let last = { seq: 0, hash: GENESIS };
    while (last.seq < end) {
      const page = await db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.chain, chain), gt(auditLog.seq, last.seq), lte(auditLog.seq, end)))
        .orderBy(asc(auditLog.seq))
        .limit(PAGE);
      if (page.length === 0) break;
      const run = verifyRun(page, last);
      if (!run.ok) return { ok: false, rows, chains: chain + 1, brokenAt: run.broken };
      rows += page.length;
      last = run.last;
    }
    if (head && (head.seq !== last.seq || head.hash !== last.hash)) {
      return {
        ok: false,
        rows,
        chains: chain + 1,
        brokenAt: { chain, seq: head.seq, eventId: "", problem: "head_mismatch" },
      };
    }
  }
  return { ok: true, rows, chains: AUDIT_CHAINS };
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
