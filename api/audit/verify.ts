// Audit verification: walks every hash chain from genesis to its head, then checks that the chains
// still cover what was recorded beside them (domain events, ledger charges), so a deleted tail under
// a head rolled back to match is still seen.
import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { auditHeads, auditLog } from "../db/compliance-schema.ts";
import { AUDIT_CHAINS, type ChainBreak, chainOf, GENESIS, verifyRun } from "./chain.ts";

export interface VerifyReport {
  ok: boolean;
  rows: number;
  chains: number;
  brokenAt?: ChainBreak;
}

const PAGE = 5_000;

/**
 * Every chain that has a head, plus the usual chains 0..AUDIT_CHAINS-1 (a chain whose rows lost their
 * head is a break). Each is walked to the head read first (rows and head are written in one
 * transaction, so rows appended meanwhile are simply beyond this pass); stops at the first break.
 * Then the cross-checks, each one statement (one snapshot): events and audit rows are written in one
 * transaction by `recordAudited`, a charge in the same transaction as its `call.billable` event.
 */
export async function verifyAudit(db: Db): Promise<VerifyReport> {
  const heads = await db.select().from(auditHeads).orderBy(asc(auditHeads.chain));
  const byChain = new Map(heads.map((h) => [h.chain, h]));
  const chains = [...new Set([...Array.from({ length: AUDIT_CHAINS }, (_, i) => i), ...byChain.keys()])];
  let rows = 0;
  for (const [i, chain] of chains.entries()) {
    const head = byChain.get(chain);
    const broken = (b: ChainBreak): VerifyReport => ({ ok: false, rows, chains: i + 1, brokenAt: b });
    if (!head) {
      const [orphan] = await db.select().from(auditLog).where(eq(auditLog.chain, chain)).limit(1);
      if (orphan) return broken({ chain, seq: orphan.seq, eventId: orphan.eventId, problem: "head_missing" });
      continue;
    }
    let last = { seq: 0, hash: GENESIS };
    while (last.seq < head.seq) {
      const page = await db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.chain, chain), gt(auditLog.seq, last.seq), lte(auditLog.seq, head.seq)))
        .orderBy(asc(auditLog.seq))
        .limit(PAGE);
      if (page.length === 0) break;
      const run = verifyRun(page, last);
      if (!run.ok) return broken(run.broken);
      rows += page.length;
      last = run.last;
    }
    if (head.seq !== last.seq || head.hash !== last.hash)
      return broken({ chain, seq: head.seq, eventId: "", problem: "head_mismatch" });
  }
  const uncovered = await firstUncovered(db);
  if (uncovered) return { ok: false, rows, chains: chains.length, brokenAt: uncovered };
  return { ok: true, rows, chains: chains.length };
}

/**
 * The first recorded fact the chains do not cover: a domain event with no audit row, a ledger charge
 * whose event has no audit row, or an audit row whose domain event is gone. Reported on the chain
 * its aggregate belongs to, at seq 0 (there is no row to point at).
 */
async function firstUncovered(db: Db): Promise<ChainBreak | undefined> {
  const found = await db.execute<{
    event_id: string;
    aggregate_id: string;
    problem: ChainBreak["problem"];
  }>(sql`
    (select d.event_id, d.aggregate_id, 'event_unaudited' as problem from domain_events d
      where not exists (select 1 from audit_log a where a.event_id = d.event_id) limit 1)
    union all
    (select p.event_id, p.reference, 'posting_unaudited' from ledger_postings p
      where p.event_id is not null
        and not exists (select 1 from audit_log a where a.event_id = p.event_id) limit 1)
    union all
    (select a.event_id, a.aggregate_id, 'event_missing' from audit_log a
      where not exists (select 1 from domain_events d where d.event_id = a.event_id) limit 1)
    limit 1`);
  const row = found[0];
  if (!row) return undefined;
  return { chain: chainOf(row.aggregate_id), seq: 0, eventId: row.event_id, problem: row.problem };
}
