// Inclusion proofs, pure: runs of audit rows from the call's records up to a signed checkpoint's head of
// their chain, where every other row is only its leaf (an opaque sha256), so anyone can recompute each
// row hash and each checkpoint's `head` offline without learning anything about the other rows.
import { type ChainRow, chainOf, leafOf, linkHash, payloadDigest } from "../audit/chain.ts";
import { type Checkpoint, headsDigest } from "../audit/checkpoint.ts";

/** One of the call's audit rows, as its hash inputs: [seq, eventId, type, aggregateType, aggregateId, occurredAt, payloadDigest]. */
export type AuditRowTuple = [number, string, string, string, string, string, string];

/** A record of the call: its audit row and its event data as the viewer may see it. */
export interface AuditRecord {
  auditRow: AuditRowTuple;
  data: unknown;
  /** True when `data` is the event's whole data, so its digest can be checked; false when a view cut it. */
  dataWhole: boolean;
}

/** A signed checkpoint as the proof carries it: [id, seq, head, at, heads [[chain, seq, hash]…], mac]. */
export type CheckpointTuple = [number, number, string, string, [number, number, string][], string];

/** One run of consecutive audit rows, ending at the head a checkpoint anchored. */
export interface Segment {
  /** The hash of the row before `firstSeq` (the genesis hash when it is seq 1): opaque. */
  prevHash: string;
  firstSeq: number;
  /** Each row's leaf from `firstSeq` on; null where the row is one of the records (computed from it). */
  leaves: (string | null)[];
  /** The signed checkpoint whose head for the proof's chain is the segment's last row. */
  checkpoint: CheckpointTuple;
}

/** Segments in seq order: one, unless the call's life spans more rows than one segment may carry. */
export interface Proof {
  auditChain: number;
  segments: Segment[];
}

export type Problem = { part: string; message: string };

export const rowTuple = (r: ChainRow): AuditRowTuple => [
  r.seq,
  r.eventId,
  r.type,
  r.aggregateType,
  r.aggregateId,
  r.occurredAt,
  r.payloadDigest,
];

export const checkpointTuple = (c: Checkpoint): CheckpointTuple => [
  c.id,
  c.seq,
  c.head,
  c.at,
  c.heads.map((h) => [h.chain, h.seq, h.hash]),
  c.mac,
];

/** The row's fields from a record's tuple on `chain`. */
export function rowOf(chain: number, t: AuditRowTuple) {
  const [seq, eventId, type, aggregateType, aggregateId, occurredAt, payloadDigest] = t;
  return { chain, seq, eventId, type, aggregateType, aggregateId, occurredAt, payloadDigest };
}

type Bad = (part: string, message: string) => void;

/** One segment's rows hashed from its prevHash, the records filling its nulls, up to its checkpoint. */
function checkSegment(chain: number, seg: Segment, at: string, bySeq: Map<number, AuditRecord>, bad: Bad) {
  const leaves = Array.isArray(seg.leaves) ? seg.leaves : [];
  if (leaves.length === 0) return bad(`${at}.leaves`, "the segment has no rows");
  let hash = seg.prevHash;
  for (const [i, given] of leaves.entries()) {
    const seq = seg.firstSeq + i;
    const record = bySeq.get(seq);
    if ((given === null) !== (record !== undefined)) {
      bad(`${at}.leaves[${i}]`, `row ${seq}: a record must stand exactly where the leaf is null`);
      return;
    }
    const leaf = record ? leafOf(rowOf(chain, record.auditRow)) : given;
    if (typeof leaf !== "string" || !/^[0-9a-f]{64}$/.test(leaf))
      return bad(`${at}.leaves[${i}]`, `row ${seq}: not a sha256 leaf`);
    hash = linkHash(hash, leaf);
  }
  const [, cSeq, head, , heads] = Array.isArray(seg.checkpoint) ? seg.checkpoint : [];
  const list = Array.isArray(heads) ? heads : [];
  const asHeads = list.map(([c, s, h]) => ({ chain: c, seq: s, hash: h }));
  if (head !== headsDigest(asHeads)) bad(`${at}.checkpoint`, "head is not the digest of the heads listed");
  if (cSeq !== asHeads.reduce((n, h) => n + h.seq, 0))
    bad(`${at}.checkpoint`, "seq is not the sum of the heads");
  const anchor = asHeads.find((h) => h.chain === chain);
  const last = seg.firstSeq + leaves.length - 1;
  if (!anchor || anchor.seq !== last || anchor.hash !== hash)
    bad(`${at}.checkpoint`, `the rows do not hash to the checkpoint's head of chain ${chain} (seq ${last})`);
}

/** Segments, checkpoints and records checked against each other; every mismatch reported. */
export function checkProof(callId: string, proof: Proof, records: readonly AuditRecord[]): Problem[] {
  const problems: Problem[] = [];
  const bad: Bad = (part, message) => problems.push({ part, message });
  const chain = chainOf(callId);
  if (proof.auditChain !== chain) bad("proof.auditChain", `call ${callId} is on chain ${chain}`);
  const bySeq = new Map<number, AuditRecord>();
  for (const [i, r] of records.entries()) {
    const t = Array.isArray(r?.auditRow) ? r.auditRow : undefined;
    if (!t || typeof t[0] !== "number") {
      bad(`records[${i}].auditRow`, "not an audit row");
      continue;
    }
    if (t[4] !== callId) bad(`records[${i}]`, `record ${t[1]} is not about call ${callId}`);
    if (bySeq.has(t[0])) bad(`records[${i}]`, `two records at seq ${t[0]}`);
    bySeq.set(t[0], r);
    if (r.dataWhole && payloadDigest(r.data) !== t[6])
      bad(`records[${i}].data`, `record ${t[1]}: data does not match its audited digest`);
  }
  const segments = Array.isArray(proof.segments) ? proof.segments : [];
  if (segments.length === 0)
    return [...problems, { part: "proof.segments", message: "the proof has no segments" }];
  let after = 0;
  const covered = new Set<number>();
  for (const [i, seg] of segments.entries()) {
    if (!Number.isSafeInteger(seg.firstSeq) || seg.firstSeq <= after)
      bad(`proof.segments[${i}]`, "segments overlap or are out of order");
    checkSegment(chain, seg, `proof.segments[${i}]`, bySeq, bad);
    const n = Array.isArray(seg.leaves) ? seg.leaves.length : 0;
    for (let s = seg.firstSeq; s < seg.firstSeq + n; s++) covered.add(s);
    after = seg.firstSeq + n - 1;
  }
  for (const seq of bySeq.keys())
    if (!covered.has(seq)) bad("records", `the record at seq ${seq} is in no segment of the proof`);
  return problems;
}
