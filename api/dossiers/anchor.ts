// Reads what a call's inclusion proof needs: its audit rows with their event data, the earliest
// validly signed checkpoint covering them (taking one now when none does yet), and the leaves between.
import { sql } from "drizzle-orm";
import { type ChainRow, chainOf, isLeafChained, leafOf } from "../audit/chain.ts";
import { type Checkpoint, checkpointSigned, type Head } from "../audit/checkpoint.ts";
import { takeCheckpoint } from "../audit/checkpointer.ts";
import type { ApiDeps } from "../deps.ts";
import { ApiError } from "../problem.ts";
import { earliestCovering, type Probe } from "./earliest.ts";
import { checkpointTuple, type Proof, type Segment } from "./proof.ts";
import { planSegments } from "./segments.ts";

type AuditRow = {
  chain: number;
  seq: string;
  event_id: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  occurred_at: string | Date;
  payload_digest: string;
  prev_hash: string;
  hash: string;
};

const toRow = (r: AuditRow): ChainRow => ({
  chain: r.chain,
  seq: Number(r.seq),
  eventId: r.event_id,
  type: r.type,
  aggregateType: r.aggregate_type,
  aggregateId: r.aggregate_id,
  occurredAt: typeof r.occurred_at === "string" ? r.occurred_at : r.occurred_at.toISOString(),
  payloadDigest: r.payload_digest,
  prevHash: r.prev_hash,
  hash: r.hash,
});
const COLUMNS = sql`chain, seq, event_id, type, aggregate_type, aggregate_id, occurred_at, payload_digest, prev_hash, hash`;

export const unavailable = (detail: string) => new ApiError(503, "dossier_unavailable", detail);
/** Not yet, but soon: the call's events are still on their way into the audit log or a checkpoint. */
export const pending = (detail: string) => new ApiError(409, "dossier_pending", detail);

/** The call's audit rows (one chain: they share its aggregate id), in order, with each event's data. */
export async function callRows(deps: ApiDeps, callId: string) {
  const rows = await deps.db.execute<AuditRow & { data: unknown }>(sql`
    select a.chain, a.seq, a.event_id, a.type, a.aggregate_type, a.aggregate_id, a.occurred_at,
      a.payload_digest, a.prev_hash, a.hash, d.data
    from audit_log a join domain_events d on d.event_id = a.event_id
    where a.chain = ${chainOf(callId)} and a.aggregate_id = ${callId} order by a.seq`);
  return rows.map((r) => ({ row: toRow(r), data: r.data }));
}

type CheckpointRow = { id: string; seq: string; head: string; heads: Head[]; at: string | Date; mac: string };
const fromRow = (r: CheckpointRow): Checkpoint => ({
  id: Number(r.id),
  seq: Number(r.seq),
  head: r.head,
  heads: r.heads,
  at: new Date(r.at).toISOString(),
  mac: r.mac,
});

const SELECT = sql`select id, seq, head, heads, at, mac from audit_checkpoints`;
const headOn = (c: Checkpoint, chain: number) => c.heads.find((h) => h.chain === chain)?.seq ?? 0;

/** Checkpoints covering `seq` on `chain`, earliest first: a binary search by id, then the next few. */
async function covering(deps: ApiDeps, chain: number, seq: number): Promise<Checkpoint[]> {
  const probe = (rows: CheckpointRow[]): Probe<Checkpoint> | undefined => {
    const c = rows[0] && fromRow(rows[0]);
    return c && { id: c.id, head: headOn(c, chain), checkpoint: c };
  };
  const last = probe(await deps.db.execute<CheckpointRow>(sql`${SELECT} order by id desc limit 1`));
  const first = await earliestCovering(seq, last, async (id) =>
    probe(await deps.db.execute<CheckpointRow>(sql`${SELECT} where id >= ${id} order by id limit 1`)),
  );
  if (!first) return [];
  // Later ones too, in case the earliest is not validly signed (heads only grow: they cover as well).
  const rows = await deps.db.execute<CheckpointRow>(
    sql`${SELECT} where id >= ${first.id} order by id limit 5`,
  );
  return rows.map(fromRow).filter((c) => headOn(c, chain) >= seq);
}

/** The earliest checkpoint signed with the key that covers `seq`; one is taken now when none does. */
async function anchorFor(deps: ApiDeps, chain: number, seq: number): Promise<Checkpoint> {
  const key = deps.auditCheckpointKey;
  if (!key) throw unavailable("the audit checkpoint key is not configured");
  const signed = (cs: Checkpoint[]) => cs.find((c) => checkpointSigned(key, c));
  const found = signed(await covering(deps, chain, seq));
  if (found) return found;
  const taken = await takeCheckpoint(deps.db, deps.redis, key, deps.now());
  if ("refused" in taken)
    throw unavailable("the audit log no longer holds its latest checkpoint: an incident");
  const now = signed(await covering(deps, chain, seq));
  if (!now) throw pending("no signed checkpoint covers the call's records yet; retry");
  return now;
}

/**
 * The proof of the call's audit rows: segments of its chain, each up to a signed checkpoint's head. Rows
 * of the call are null (the dossier's records stand there); every other row is only its leaf.
 */
export async function proofFor(deps: ApiDeps, callId: string, rows: readonly ChainRow[]): Promise<Proof> {
  const chain = chainOf(callId);
  if (rows.length === 0) throw pending("the call has no audited records yet; retry");
  const plan = await planSegments(
    rows.map((r) => r.seq),
    async (seq) => {
      const checkpoint = await anchorFor(deps, chain, seq);
      return { checkpoint, head: headOn(checkpoint, chain) };
    },
  );
  const segments: Segment[] = [];
  for (const p of plan) {
    const span = await deps.db.execute<AuditRow>(sql`
      select ${COLUMNS} from audit_log where chain = ${chain} and seq between ${p.from} and ${p.to} order by seq`);
    const rows = span.map(toRow);
    // A row hashed before rows were leaf-chained (its hash is not sha256(prevHash + leaf)) cannot be
    // shown as an opaque leaf: no dossier can prove a call whose proof runs through one. That is a
    // fact about the call's age, not an outage.
    if (!rows.every(isLeafChained))
      throw new ApiError(
        409,
        "dossier_legacy",
        "the call's audit rows, or rows after them on its chain, were written before dossiers existed",
      );
    segments.push({
      prevHash: rows[0]?.prevHash ?? "",
      firstSeq: p.from,
      leaves: rows.map((r) => (r.aggregateId === callId ? null : leafOf(r))),
      checkpoint: checkpointTuple(p.checkpoint),
    });
  }
  return { auditChain: chain, segments };
}
