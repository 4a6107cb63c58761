import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runVerify } from "../../scripts/dossier-verify.ts";
import { checkpointSigned } from "../audit/checkpoint.ts";
import { gatesOf } from "./gates.ts";
import type { CheckpointTuple } from "./proof.ts";
import { adminDossier, CALL, chainRows, copy, HMAC_KEY, sign, signingKey } from "./test-fixture.ts";
import { type SignedDossier, verifyDossier } from "./verify.ts";

const good = adminDossier();
const parts = (d: SignedDossier, key = signingKey.publicKey) =>
  verifyDossier(d, key).problems.map((p) => p.part);

/** A tampering of the body, re-signed with the real key: the proof checks alone must catch it. */
const resigned = (change: (d: SignedDossier["dossier"]) => void) => {
  const body = copy(good.dossier);
  change(body);
  return sign(body);
};

const cp = (d: SignedDossier["dossier"], i = 0) => d.proof.segments[i]!.checkpoint;
const asCheckpoint = ([id, seq, head, at, heads, mac]: CheckpointTuple) => ({
  id,
  seq,
  head,
  at,
  heads: heads.map(([chain, s, hash]) => ({ chain, seq: s, hash })),
  mac,
});

describe("verifyDossier", () => {
  it("accepts an untouched dossier, with the key given or the key it names", () => {
    expect(verifyDossier(good, signingKey.publicKey)).toMatchObject({
      ok: true,
      problems: [],
      keySource: "given",
    });
    expect(verifyDossier(good)).toMatchObject({ ok: true, keySource: "embedded" });
    expect(checkpointSigned(HMAC_KEY, asCheckpoint(cp(good.dossier)))).toBe(true);
  });

  it("refuses any change to the signed body when not re-signed", () => {
    const d = copy(good);
    (d.dossier.callView as { status: string }).status = "failed";
    expect(parts(d)).toEqual(["signature"]);
    const e = copy(good);
    e.dossier.postings[0]!.postingEntries[0]!.amountMicros = 1;
    expect(parts(e)).toContain("signature");
  });

  it("refuses a dossier signed by another key than the one given", () => {
    const d = copy(good);
    d.signature.publicKey = "A".repeat(43) + "=";
    expect(parts(d, "A".repeat(43) + "=")).toEqual(["signature.signingKeyId"]);
  });

  it("finds a changed, removed or added leaf, a wrong start hash and a proof on another chain", () => {
    const leaf = (i: number) => (b: SignedDossier["dossier"]) => {
      b.proof.segments[0]!.leaves[i] = "f".repeat(64);
    };
    expect(parts(resigned(leaf(1)))).toContain("proof.segments[0].checkpoint");
    expect(parts(resigned((b) => void b.proof.segments[0]!.leaves.splice(1, 1)))).toContain(
      "proof.segments[0].leaves[2]",
    );
    expect(parts(resigned((b) => void b.proof.segments[0]!.leaves.push("e".repeat(64))))).toContain(
      "proof.segments[0].checkpoint",
    );
    expect(
      parts(
        resigned((b) => {
          b.proof.segments[0]!.prevHash = "1".repeat(64);
        }),
      ),
    ).toContain("proof.segments[0].checkpoint");
    expect(
      parts(
        resigned((b) => {
          b.proof.auditChain = (b.proof.auditChain + 1) % 8;
        }),
      ),
    ).toContain("proof.auditChain");
    // A record's place given as an opaque leaf (hiding it), or a leaf where a record stands.
    expect(parts(resigned(leaf(0)))).toContain("proof.segments[0].leaves[0]");
    expect(
      parts(
        resigned((b) => {
          b.proof.segments[0]!.leaves[1] = null;
        }),
      ),
    ).toContain("proof.segments[0].leaves[1]");
  });

  it("finds a checkpoint whose head, seq or chain head do not match the rows", () => {
    expect(
      parts(
        resigned((b) => {
          cp(b)[2] = "2".repeat(64);
        }),
      ),
    ).toContain("proof.segments[0].checkpoint");
    expect(
      parts(
        resigned((b) => {
          cp(b)[1] += 1;
        }),
      ),
    ).toContain("proof.segments[0].checkpoint");
    expect(
      parts(
        resigned((b) => {
          cp(b)[4][0]![2] = "3".repeat(64);
        }),
      ),
    ).toContain("proof.segments[0].checkpoint");
  });

  it("finds records that differ from their audit rows, data off its digest, and misplaced records", () => {
    for (const field of [1, 2, 3, 5, 6] as const)
      expect(
        parts(
          resigned((b) => {
            (b.records[1]!.auditRow as unknown[])[field] = "forged";
          }),
        ),
        `auditRow[${field}]`,
      ).toContain("proof.segments[0].checkpoint");
    expect(
      parts(
        resigned((b) => {
          (b.records[2]!.data as { chargedMicros: number }).chargedMicros = 1;
        }),
      ),
    ).toContain("records[2].data");
    expect(parts(resigned((b) => void b.records.splice(1, 1)))).toContain("proof.segments[0].leaves[3]");
    expect(
      parts(
        resigned((b) => {
          b.records[0]!.auditRow[0] = 999;
        }),
      ),
    ).toContain("records");
    expect(
      parts(
        resigned((b) => {
          b.records[0]!.auditRow[4] = "call_other";
        }),
      ),
    ).toContain("records[0]");
  });

  it("fails on a change to any value of the dossier, re-signed or not, except a view's cut data", () => {
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, at: (string | number)[]) => {
      if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(x, [...at, i]);
      else if (v !== null && typeof v === "object")
        for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
      else paths.push(at);
    };
    walk(good.dossier, []);
    // The checkpoint's id, time and HMAC are covered by the signature (and the exchange's HMAC) only.
    const hmacOnly = (p: (string | number)[]) => p[3] === "checkpoint" && [0, 3, 5].includes(p[4] as number);
    const proven = (p: (string | number)[]) =>
      (p[0] === "records" && p[2] !== "dataWhole") || (p[0] === "proof" && !hmacOnly(p)) || p[0] === "callId";
    const changed = (p: (string | number)[]) => {
      const body = copy(good.dossier) as unknown as Record<string | number, unknown>;
      let o = body as Record<string | number, unknown>;
      for (const k of p.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
      const last = p.at(-1)!;
      const was = o[last];
      o[last] =
        typeof was === "number"
          ? was + 1
          : typeof was === "string"
            ? `${was}x`
            : was === null
              ? "0".repeat(64)
              : !was;
      return body as unknown as SignedDossier["dossier"];
    };
    let checked = 0;
    for (const p of paths) {
      const body = changed(p);
      expect(verifyDossier({ ...good, dossier: body }, signingKey.publicKey).ok, p.join(".")).toBe(false);
      // Re-signed by the exchange itself: what the proof covers still fails on its own.
      if (proven(p)) {
        expect(verifyDossier(sign(body), signingKey.publicKey).ok, `re-signed ${p.join(".")}`).toBe(false);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it("checks each segment of a split proof on its own checkpoint; segments may not overlap", () => {
    const split = adminDossier({ split: true });
    expect(split.dossier.proof.segments).toHaveLength(2);
    expect(verifyDossier(split, signingKey.publicKey)).toMatchObject({ ok: true, problems: [] });
    expect(verifyDossier(split).checkpoints.map((c) => c.id)).toEqual([6, 7]);
    const swapped = copy(split.dossier);
    swapped.proof.segments.reverse();
    expect(parts(sign(swapped))).toContain("proof.segments[1]");
    const other = copy(split.dossier);
    other.proof.segments[0]!.checkpoint = split.dossier.proof.segments[1]!.checkpoint;
    expect(parts(sign(other))).toContain("proof.segments[0].checkpoint");
  });

  it("lets a view cut a record's data only when it says so", () => {
    const cutByView = resigned((b) => {
      b.records[0]!.data = { vertical: "auto" };
      b.records[0]!.dataWhole = false;
    });
    expect(verifyDossier(cutByView, signingKey.publicKey).ok).toBe(true);
  });

  it("links charges to their audited event; other posting kinds to the call only", () => {
    const refund = resigned((b) => {
      b.postings.push({ ...b.postings[0]!, postingId: "pst_2", kind: "refund", fromEvent: "evt_elsewhere" });
    });
    expect(verifyDossier(refund, signingKey.publicKey).problems).toEqual([]);
  });

  it("finds postings and recordings that are not the audited ones", () => {
    expect(
      parts(
        resigned((b) => {
          b.postings[0]!.fromEvent = "evt_forged";
        }),
      ),
    ).toContain("postings[0].fromEvent");
    expect(
      parts(
        resigned((b) => {
          b.postings[0]!.reference = "call_other";
        }),
      ),
    ).toContain("postings[0]");
    expect(
      parts(
        resigned((b) => {
          b.postings[0]!.postingEntries[2]!.amountMicros = -100;
        }),
      ),
    ).toContain("postings[0].postingEntries");
    expect(
      parts(
        resigned((b) => {
          b.recordings[0]!.sha256 = "cd".repeat(32);
        }),
      ),
    ).toContain("recordings[0].sha256");
  });
});

describe("what a dossier discloses of other rows", () => {
  it("names none of the other rows on its chain: no event id, type, aggregate, time or digest", () => {
    const { rows } = chainRows();
    const text = JSON.stringify(good);
    const others = rows.filter((r) => r.aggregateId !== CALL);
    expect(others.length).toBeGreaterThan(5);
    for (const r of others)
      for (const v of [r.eventId, r.aggregateId, r.occurredAt, r.payloadDigest])
        expect(text, `${r.seq}: ${v}`).not.toContain(`"${v}"`);
    expect(text).not.toContain("buyer.deposited");
    expect(text).not.toContain("seller.created");
    // Each other row is there as its leaf only; its hash inputs stay with the exchange.
    expect(good.dossier.proof.segments[0]!.leaves.filter((l) => l !== null)).toHaveLength(
      others.filter((r) => r.seq >= good.dossier.proof.segments[0]!.firstSeq).length,
    );
  });
});

describe("npm run dossier:verify", () => {
  const dir = mkdtempSync(join(tmpdir(), "dossier-"));
  const write = (name: string, v: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, typeof v === "string" ? v : JSON.stringify(v));
    return f;
  };

  it("exits 0 on a good dossier, with the key as base64, a file or the public-key route's JSON", () => {
    const f = write("good.json", good);
    const asJson = write("key.json", { algorithm: "Ed25519", publicKey: signingKey.publicKey });
    for (const k of [signingKey.publicKey, asJson, write("key.txt", `${signingKey.publicKey}\n`)]) {
      const r = runVerify([f, "--public-key", k]);
      expect(r.code).toBe(0);
      expect(r.lines[0]).toBe(`OK: dossier of call ${CALL} for admin`);
    }
  });

  it("exits 1 naming each problem on a tampered copy, 2 on an unreadable file or usage", () => {
    const bad = copy(good);
    bad.dossier.proof.segments[0]!.leaves[1] = "0".repeat(64);
    const r = runVerify([write("bad.json", bad), "--public-key", signingKey.publicKey]);
    expect(r.code).toBe(1);
    expect(r.lines[0]).toMatch(/^REFUSED/);
    expect(r.lines.join("\n")).toMatch(/signature: the Ed25519 signature does not match/);
    expect(runVerify([write("junk.json", "{nope")]).code).toBe(2);
    expect(runVerify([]).code).toBe(2);
  });
});

describe("gatesOf", () => {
  it("passes every gate for a call that reached the auction; names the refusing gate otherwise", () => {
    expect(gatesOf("routed").map((g) => g.passed)).toEqual([true, true, true, true]);
    expect(gatesOf("rejected", "dnc_suppressed")).toEqual([
      { gate: "compliance", passed: false, code: "dnc_suppressed" },
    ]);
    expect(gatesOf("rejected", "velocity_exceeded")[0]!.gate).toBe("fraud");
  });
});
