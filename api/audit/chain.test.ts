import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type ChainRow,
  canonical,
  GENESIS,
  isLeafChained,
  leafOf,
  linkHash,
  payloadDigest,
  rowHash,
  verifyRun,
} from "./chain.ts";

function chainOf(n: number): ChainRow[] {
  const rows: ChainRow[] = [];
  let prev = GENESIS;
  for (let seq = 1; seq <= n; seq++) {
    const row = {
      chain: 0,
      seq,
      eventId: `evt_${seq}`,
      type: "call.routed",
      aggregateType: "call",
      aggregateId: `call_${seq}`,
      occurredAt: `2026-11-28T00:00:0${seq}.000Z`,
      payloadDigest: payloadDigest({ n: seq }),
      prevHash: prev,
    };
    const hash = rowHash(row);
    rows.push({ ...row, hash });
    prev = hash;
  }
  return rows;
}

describe("audit chain", () => {
  it("verifies an intact chain", () => {
    expect(verifyRun(chainOf(5), { seq: 0, hash: GENESIS })).toMatchObject({ ok: true, last: { seq: 5 } });
  });

  it("digests payloads independently of key order", () => {
    expect(payloadDigest({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(
      payloadDigest({ b: [1, { d: 3, c: 2 }], a: 1 }),
    );
  });

  it("reports an altered row where it was altered", () => {
    const rows = chainOf(5);
    rows[2] = { ...rows[2]!, type: "call.rejected" };
    expect(verifyRun(rows, { seq: 0, hash: GENESIS })).toEqual({
      ok: false,
      broken: { chain: 0, seq: 3, eventId: "evt_3", problem: "hash_mismatch" },
    });
  });

  it("reports a re-hashed row at the next link, and a deleted row as a gap", () => {
    const rows = chainOf(5);
    const forged = { ...rows[1]!, aggregateId: "call_x" };
    rows[1] = { ...forged, hash: rowHash(forged) };
    expect(verifyRun(rows, { seq: 0, hash: GENESIS })).toMatchObject({
      ok: false,
      broken: { seq: 3, problem: "prev_hash_mismatch" },
    });
    const gap = chainOf(5).filter((r) => r.seq !== 4);
    expect(verifyRun(gap, { seq: 0, hash: GENESIS })).toMatchObject({
      ok: false,
      broken: { seq: 5, problem: "seq_gap" },
    });
  });

  it("chains each row's leaf, so the next hash follows from a leaf alone", () => {
    const [a, b] = chainOf(2);
    expect(a!.hash).toBe(linkHash(GENESIS, leafOf(a!)));
    expect(b!.hash).toBe(linkHash(a!.hash, leafOf(b!)));
    expect(leafOf(a!)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("still verifies rows hashed before leaves were chained, and a mix of both", () => {
    const rows = chainOf(4);
    const legacy = (r: ChainRow, prevHash: string) => {
      const body = canonical([
        r.chain,
        r.seq,
        r.eventId,
        r.type,
        r.aggregateType,
        r.aggregateId,
        r.occurredAt,
        r.payloadDigest,
      ]);
      return {
        ...r,
        prevHash,
        hash: createHash("sha256")
          .update(prevHash + body)
          .digest("hex"),
      };
    };
    const mixed: ChainRow[] = [];
    let prev = GENESIS;
    for (const [i, r] of rows.entries()) {
      const row = i < 2 ? legacy(r, prev) : { ...r, prevHash: prev, hash: linkHash(prev, leafOf(r)) };
      mixed.push(row);
      prev = row.hash;
    }
    expect(verifyRun(mixed, { seq: 0, hash: GENESIS })).toMatchObject({ ok: true, last: { seq: 4 } });
    // Only the leaf-chained rows can stand in a dossier's proof (the others answer dossier_legacy).
    expect(mixed.map(isLeafChained)).toEqual([false, false, true, true]);
    mixed[0] = { ...mixed[0]!, eventId: "evt_x" };
    expect(verifyRun(mixed, { seq: 0, hash: GENESIS })).toMatchObject({ ok: false, broken: { seq: 1 } });
  });
});
