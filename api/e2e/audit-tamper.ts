// Tampering tools for the audit e2e tests: a throwaway hash chain (its own chain number, its own events)
// planted in the stack's Postgres the way the writer would chain it (with the app's rights), and an
// insider's session (the superuser's: the app role may not touch a trigger) that disables the guarding
// triggers for one transaction. Other tests' chains are never touched.
import { randomInt } from "node:crypto";
import type postgres from "postgres";
import { type ChainRow, chainOf, GENESIS, payloadDigest, rowHash } from "../audit/chain.ts";
import { uniq } from "./client.ts";
import { run } from "./run.ts";
import { ROOT } from "./stack.ts";

type Sql = postgres.Sql;
type Tx = postgres.TransactionSql;

export interface PlantedChain {
  chain: number;
  aggregateId: string;
  rows: ChainRow[];
  postingId: string;
}

/**
 * A chain numbered far above the writer's 0..7, with `n` events: rows, domain events and a head, and
 * a ledger posting made by the last event (no entries, so no balance moves; it stands in for the charge
 * a `call.billable` event makes in the same transaction).
 */
export async function plantChain(sql: Sql, n: number): Promise<PlantedChain> {
  const chain = 1_000 + randomInt(1_000_000);
  const aggregateId = `probe_${uniq()}`;
  const postingId = `pst_probe_${uniq()}`;
  const rows: ChainRow[] = [];
  let prevHash = GENESIS;
  for (let seq = 1; seq <= n; seq++) {
    const row = {
      chain,
      seq,
      eventId: `evt_probe_${uniq()}`,
      type: "audit.probe",
      aggregateType: "probe",
      aggregateId,
      occurredAt: new Date().toISOString(),
      payloadDigest: payloadDigest({ seq }),
      prevHash,
    };
    prevHash = rowHash(row);
    rows.push({ ...row, hash: prevHash });
  }
  await sql.begin(async (tx) => {
    for (const r of rows) {
      await tx`insert into domain_events (event_id, type, aggregate_type, aggregate_id, occurred_at, data)
        values (${r.eventId}, ${r.type}, ${r.aggregateType}, ${r.aggregateId}, ${r.occurredAt}, ${tx.json({ seq: r.seq })})`;
      await tx`insert into audit_log (chain, seq, event_id, type, aggregate_type, aggregate_id, occurred_at,
          payload_digest, prev_hash, hash)
        values (${chain}, ${r.seq}, ${r.eventId}, ${r.type}, ${r.aggregateType}, ${r.aggregateId}, ${r.occurredAt},
          ${r.payloadDigest}, ${r.prevHash}, ${r.hash})`;
    }
    await tx`insert into audit_heads (chain, seq, hash) values (${chain}, 0, ${GENESIS})`;
    await tx`update audit_heads set seq = ${n}, hash = ${prevHash} where chain = ${chain}`;
    await tx`insert into ledger_postings (id, kind, reference, memo, event_id, occurred_at)
      values (${postingId}, 'probe', ${aggregateId}, 'audit e2e probe', ${rows[n - 1]!.eventId}, now())`;
  });
  return { chain, aggregateId, rows, postingId };
}

const GUARDS = [
  ["audit_log", "audit_log_append_only"],
  ["audit_heads", "audit_heads_guard"],
  ["domain_events", "domain_events_no_delete"],
  ["ledger_postings", "ledger_postings_append_only"],
] as const;

/**
 * Runs `work` in one transaction with the row guards off (an insider's deliberate DDL, on `sql` a
 * superuser's session), then back on.
 */
export function asInsider(sql: Sql, work: (tx: Tx) => Promise<unknown>): Promise<unknown> {
  return sql.begin(async (tx) => {
    for (const [table, trigger] of GUARDS) await tx.unsafe(`alter table ${table} disable trigger ${trigger}`);
    await work(tx);
    for (const [table, trigger] of GUARDS) await tx.unsafe(`alter table ${table} enable trigger ${trigger}`);
  });
}

/**
 * Removes every trace of a planted chain (on `sql`, a superuser's session), then re-anchors the
 * checkpoints the way an operator does after a repair, so the stack's chains verify as before.
 */
export async function removeChain(sql: Sql, p: PlantedChain): Promise<void> {
  await asInsider(sql, async (tx) => {
    await tx`delete from audit_log where chain = ${p.chain}`;
    await tx`delete from audit_heads where chain = ${p.chain}`;
    await tx`delete from domain_events where aggregate_id = ${p.aggregateId}`;
    await tx`delete from ledger_postings where id = ${p.postingId}`;
  });
  await reanchor();
}

/** `npm run audit:checkpoint -- --reanchor`, as an operator runs it; answers the new checkpoint. */
export async function reanchor(): Promise<{ id: number; seq: number; head: string }> {
  const r = await run(process.execPath, ["--import", "tsx", "scripts/audit-checkpoint.ts", "--reanchor"], {
    cwd: ROOT,
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`audit:checkpoint --reanchor failed: ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout).taken;
}

/** A TRUNCATE that is always rolled back: answers the refusal's message, or "truncated" if it ran. */
export async function tryTruncate(sql: Sql, table: string): Promise<string> {
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(`truncate table ${table} cascade`);
      throw new Error("truncated");
    });
    return "committed";
  } catch (err) {
    return (err as Error).message;
  }
}

/** Where verification reports a fact missing from the chains (no row to point at). */
export const uncoveredAt = (p: PlantedChain) => ({ chain: chainOf(p.aggregateId), seq: 0 });
