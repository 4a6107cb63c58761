// The audit hash chain, pure: which chain an aggregate belongs to, the canonical form of a row, its leaf
// (sha256 of the canonical row) and hash (sha256 of the previous hash and the leaf), and the
// verification of a run of rows. Chaining leaves, not rows, lets a proof show another row as its leaf
// alone: an opaque digest that names nothing (docs/dossiers.md).
import { createHash } from "node:crypto";
import { canonicalJson } from "../../actors/kernel/canonical-json.ts";

/** Chains are partitioned by aggregate id so concurrent writers rarely queue on one head row. */
export const AUDIT_CHAINS = 8;
export const GENESIS = "0".repeat(64);

export interface ChainRow {
  chain: number;
  seq: number;
  eventId: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  occurredAt: string;
  payloadDigest: string;
  prevHash: string;
  hash: string;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export function chainOf(aggregateId: string): number {
  return createHash("sha256").update(aggregateId).digest().readUInt32BE(0) % AUDIT_CHAINS;
}

/** Stable JSON (sorted keys) so the same payload always has the same digest. */
export const canonical = canonicalJson;

export const payloadDigest = (data: unknown) => sha256(canonical(data));

type RowFields = Omit<ChainRow, "hash" | "prevHash">;

const canonicalRow = (row: RowFields) =>
  canonical([
    row.chain,
    row.seq,
    row.eventId,
    row.type,
    row.aggregateType,
    row.aggregateId,
    row.occurredAt,
    row.payloadDigest,
  ]);

/** A row's leaf: sha256 of its canonical fields (the event id's 64 random bits make it unguessable). */
export const leafOf = (row: RowFields) => sha256(canonicalRow(row));

/** The hash after `prevHash` of a row whose leaf is `leaf`. */
export const linkHash = (prevHash: string, leaf: string) => sha256(prevHash + leaf);

/** A row's hash: sha256(prevHash + leaf). */
export function rowHash(row: Omit<ChainRow, "hash">): string {
  return linkHash(row.prevHash, leafOf(row));
}

/** Whether the row is hashed as rows are now (sha256(prevHash + leaf)), so a proof may show it as a leaf. */
export const isLeafChained = (row: ChainRow): boolean => rowHash(row) === row.hash;

/**
 * Whether `row.hash` is its hash, as written now or as rows written before leaves were chained were
 * hashed (sha256(prevHash + canonical row)). Either form is one preimage: a canonical row starts with
 * "[", a leaf with a hex digit, so no row verifies under both.
 */
export function rowHashHolds(row: ChainRow): boolean {
  return rowHash(row) === row.hash || sha256(row.prevHash + canonicalRow(row)) === row.hash;
}

export interface ChainBreak {
  chain: number;
  seq: number;
  eventId: string;
  problem:
    | "hash_mismatch"
    | "prev_hash_mismatch"
    | "seq_gap"
    | "head_mismatch"
    | "head_missing"
    | "head_behind"
    | "event_unaudited"
    | "posting_unaudited"
    | "event_missing"
    | "checkpoint_ahead"
    | "checkpoint_mismatch"
    | "checkpoint_forged";
}

/** Checks rows of one chain in seq order, continuing from `prev` (the last good hash and seq). */
export function verifyRun(
  rows: readonly ChainRow[],
  prev: { seq: number; hash: string },
): { ok: true; last: { seq: number; hash: string } } | { ok: false; broken: ChainBreak } {
  let last = prev;
  for (const r of rows) {
    const at = { chain: r.chain, seq: r.seq, eventId: r.eventId };
    if (r.seq !== last.seq + 1) return { ok: false, broken: { ...at, problem: "seq_gap" } };
    if (r.prevHash !== last.hash) return { ok: false, broken: { ...at, problem: "prev_hash_mismatch" } };
    if (!rowHashHolds(r)) return { ok: false, broken: { ...at, problem: "hash_mismatch" } };
    last = { seq: r.seq, hash: r.hash };
  }
  return { ok: true, last };
}
