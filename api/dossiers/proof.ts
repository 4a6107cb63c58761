// Inclusion proofs, pure: runs of audit rows from the call's records up to a signed checkpoint's head of
// their chain, so anyone can recompute every row hash, link, and each checkpoint's `head`, offline.
import { type ChainRow, chainOf, payloadDigest, verifyRun } from "../audit/chain.ts";
import { type Checkpoint, headsDigest } from "../audit/checkpoint.ts";

/** One audit row as the proof carries it: every input of its hash, and the hash. */
export interface Link {
  seq: number;
  eventId: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  occurredAt: string;
  payloadDigest: string;
  hash: string;
}

/** One run of consecutive audit rows, ending at the head a checkpoint anchored. */
export interface Segment {
  /** The hash of the row before the first link (the genesis hash when the first link is seq 1). */
  prevHash: string;
  links: Link[];
  /** The signed checkpoint whose head for the proof's chain is the last link. */
  checkpoint: Checkpoint;
}

/** Segments in seq order: one, unless the call's life spans more rows than one segment may carry. */
export interface Proof {
  chain: number;
  segments: Segment[];
}

/** A record of the call: its audit row's fields and its event data as the viewer may see it. */
export interface AuditRecord extends Omit<Link, "hash"> {
  data: unknown;
  /** True when `data` is the event's whole data, so its digest can be checked; false when a view cut it. */
  dataWhole: boolean;
}

export type Problem = { part: string; message: string };

export function toLink(r: ChainRow): Link {
  const { chain: _c, prevHash: _p, ...link } = r;
  return link;
}

/** One segment's links and checkpoint checked against each other; `at` names it in problems. */
function checkSegment(chain: number, seg: Segment, at: string, bad: (part: string, message: string) => void) {
  const links = seg.links ?? [];
  if (links.length === 0) return bad(`${at}.links`, "the segment has no links");
  const rows: ChainRow[] = [];
  let prev = seg.prevHash;
  for (const l of links) {
    rows.push({ ...l, chain, prevHash: prev });
    prev = l.hash;
  }
  const run = verifyRun(rows, { seq: links[0]!.seq - 1, hash: seg.prevHash });
  if (!run.ok)
    bad(`${at}.links[seq ${run.broken.seq}]`, `${run.broken.problem}: the link does not hash or chain`);
  const c = seg.checkpoint;
  const heads = c?.heads ?? [];
  if (!c || c.head !== headsDigest(heads))
    bad(`${at}.checkpoint.head`, "head is not the digest of the heads listed");
  if (c && c.seq !== heads.reduce((n, h) => n + h.seq, 0))
    bad(`${at}.checkpoint.seq`, "seq is not the sum of the heads");
  const anchor = heads.find((h) => h.chain === chain);
  const last = links.at(-1)!;
  if (!anchor || anchor.seq !== last.seq || anchor.hash !== last.hash)
    bad(`${at}.checkpoint.heads`, `the checkpoint's head of chain ${chain} is not the segment's last link`);
}

/** Segments, checkpoints and records checked against each other; every mismatch reported. */
export function checkProof(callId: string, proof: Proof, records: readonly AuditRecord[]): Problem[] {
  const problems: Problem[] = [];
  const bad = (part: string, message: string) => problems.push({ part, message });
  if (proof.chain !== chainOf(callId))
    bad("proof.chain", `call ${callId} is on chain ${chainOf(callId)}, not ${proof.chain}`);
  const segments = proof.segments ?? [];
  if (segments.length === 0)
    return [...problems, { part: "proof.segments", message: "the proof has no segments" }];
  let after = 0;
  for (const [i, seg] of segments.entries()) {
    checkSegment(proof.chain, seg, `proof.segments[${i}]`, bad);
    const first = seg.links?.[0]?.seq ?? 0;
    if (first <= after) bad(`proof.segments[${i}]`, "segments overlap or are out of order");
    after = seg.links?.at(-1)?.seq ?? after;
  }
  const links = segments.flatMap((seg) => seg.links ?? []);
  const bySeq = new Map(links.map((l) => [l.seq, l]));
  const shown = new Set<number>();
  for (const [i, r] of records.entries()) {
    const at = `records[${i}]`;
    const l = bySeq.get(r.seq);
    shown.add(r.seq);
    if (r.aggregateId !== callId) bad(at, `record ${r.eventId} is not about call ${callId}`);
    if (!l) {
      bad(at, `record ${r.eventId} (seq ${r.seq}) is not among the proof's links`);
      continue;
    }
    for (const f of [
      "eventId",
      "type",
      "aggregateType",
      "aggregateId",
      "occurredAt",
      "payloadDigest",
    ] as const)
      if (l[f] !== r[f]) bad(`${at}.${f}`, `record ${r.eventId}: ${f} differs from its audit row`);
    if (r.dataWhole && payloadDigest(r.data) !== r.payloadDigest)
      bad(`${at}.data`, `record ${r.eventId}: data does not match its audited digest`);
  }
  // Completeness: inside the segments every row about the call is shown as a record.
  for (const l of links)
    if (l.aggregateId === callId && !shown.has(l.seq))
      bad(
        "records",
        `the audit row at seq ${l.seq} (${l.eventId}) is about the call but not among the records`,
      );
  return problems;
}
