// Audit verification: walks every hash chain from genesis to its head, then checks that the chains
// still cover what was recorded beside them (domain events, ledger charges), so a deleted tail under
// a head rolled back to match is still seen; and, given the checkpoint key, that they still hold the
// latest signed checkpoint of their heads (so a tail deleted with everything beside it is seen too).
import { and, asc, eq, gt, lte, max, sql } from "drizzle-orm";
import type { Redis } from "../../actors/platform/redis.ts";
import type { Db } from "../db/client.ts";
import { auditHeads, auditLog } from "../db/compliance-schema.ts";
import { type ChainBreak, chainOf, GENESIS, verifyRun } from "./chain.ts";
import { firstAnchorBreak } from "./checkpoint.ts";
import { latestCheckpoint } from "./checkpointer.ts";

export interface VerifyReport {
  ok: boolean;
  rows: number;
  chains: number;
  brokenAt?: ChainBreak;
  /** The checkpoint verified against (null: none taken yet); absent when verified without one. */
  checkpoint?: { id: number; seq: number; head: string; at: string } | null;
}

/** The key and Redis copy verification checks the latest signed checkpoint with. */
export interface Anchor {
  redis: Redis;
  key: string;
}

const PAGE = 5_000;

/**
 * Walks every chain that has a head to the head read first (rows and head are written in one
 * transaction, so rows appended meanwhile are simply beyond this pass); stops at the first break.
 * Then checks that no chain has rows beyond a head read after them (a head rolled back) or rows and no
 * head, and the cross-checks, each one statement (one snapshot): events and audit rows are written in
 * one transaction by `recordAudited`, a charge in the same transaction as its `call.billable` event.
 */
export async function verifyAudit(db: Db, anchor?: Anchor): Promise<VerifyReport> {
  const latest = anchor ? await latestCheckpoint(db, anchor.redis, anchor.key) : undefined;
  const cp = latest?.checkpoint;
  const checkpoint = latest && {
    checkpoint: cp ? { id: cp.id, seq: cp.seq, head: cp.head, at: cp.at } : null,
  };
  const heads = await db.select().from(auditHeads).orderBy(asc(auditHeads.chain));
  let rows = 0;
  for (const [i, head] of heads.entries()) {
    const chain = head.chain;
    const broken = (b: ChainBreak): VerifyReport => ({
      ok: false,
      rows,
      chains: i + 1,
      brokenAt: b,
      ...checkpoint,
    });
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
  const done = (brokenAt?: ChainBreak): VerifyReport =>
    brokenAt
      ? { ok: false, rows, chains: heads.length, brokenAt, ...checkpoint }
      : { ok: true, rows, chains: heads.length, ...checkpoint };
  const anchored = async () => latest?.forged ?? (cp && (await firstAnchorBreak(db, cp)));
  return done((await firstHeadBehind(db)) ?? (await firstUncovered(db)) ?? (await anchored()));
}

/** A chain whose last row lies beyond its head (read after the rows), or that has rows and no head. */
async function firstHeadBehind(db: Db): Promise<ChainBreak | undefined> {
  const tops = await db
    .select({ chain: auditLog.chain, seq: max(auditLog.seq) })
    .from(auditLog)
    .groupBy(auditLog.chain);
  const heads = new Map((await db.select().from(auditHeads)).map((h) => [h.chain, h.seq]));
  for (const top of tops) {
    const head = heads.get(top.chain);
    const seq = Number(top.seq);
    if (head === undefined) return { chain: top.chain, seq, eventId: "", problem: "head_missing" };
    if (head < seq) return { chain: top.chain, seq, eventId: "", problem: "head_behind" };
  }
  return undefined;
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
