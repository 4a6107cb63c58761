import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runVerify } from "../../scripts/dossier-verify.ts";
import { checkpointSigned } from "../audit/checkpoint.ts";
import { gatesOf } from "./gates.ts";
import { adminDossier, CALL, copy, HMAC_KEY, sign, signingKey } from "./test-fixture.ts";
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

describe("verifyDossier", () => {
  it("accepts an untouched dossier, with the key given or the key it names", () => {
    expect(verifyDossier(good, signingKey.publicKey)).toMatchObject({
      ok: true,
      problems: [],
      keySource: "given",
    });
    expect(verifyDossier(good)).toMatchObject({ ok: true, keySource: "embedded" });
    expect(checkpointSigned(HMAC_KEY, good.dossier.proof.segments[0]!.checkpoint)).toBe(true);
  });

  it("refuses any change to the signed body when not re-signed", () => {
    const d = copy(good);
    (d.dossier.call as { status: string }).status = "failed";
    expect(parts(d)).toEqual(["signature"]);
    const e = copy(good);
    e.dossier.postings[0]!.entries[0]!.amountMicros = 1;
    expect(parts(e)).toContain("signature");
  });

  it("refuses a dossier signed by another key than the one given", () => {
    const d = copy(good);
    d.signature.publicKey = "A".repeat(43) + "=";
    expect(parts(d, "A".repeat(43) + "=")).toEqual(["signature.keyId"]);
  });

  it("finds a link whose hash or inputs were changed", () => {
    expect(
      parts(
        resigned((b) => {
          b.proof.segments[0]!.links[2]!.aggregateId = "call_forged";
        }),
      ),
    ).toContain("proof.segments[0].links[seq 4]");
    expect(
      parts(
        resigned((b) => {
          b.proof.segments[0]!.links[3]!.hash = "f".repeat(64);
        }),
      ),
    ).toContain("proof.segments[0].links[seq 5]");
  });

  it("finds a removed link, a wrong start hash and a proof on another chain", () => {
    expect(parts(resigned((b) => void b.proof.segments[0]!.links.splice(2, 1)))).toContain(
      "proof.segments[0].links[seq 5]",
    );
    expect(
      parts(
        resigned((b) => {
          b.proof.segments[0]!.prevHash = "1".repeat(64);
        }),
      ),
    ).toContain("proof.segments[0].links[seq 2]");
    expect(
      parts(
        resigned((b) => {
          b.proof.chain = (b.proof.chain + 1) % 8;
        }),
      ),
    ).toContain("proof.chain");
  });

  it("finds a checkpoint whose head, seq or chain head do not match the links", () => {
    expect(
      parts(
        resigned((b) => {
          b.proof.segments[0]!.checkpoint.head = "2".repeat(64);
        }),
      ),
    ).toContain("proof.segments[0].checkpoint.head");
    expect(
      parts(
        resigned((b) => {
          b.proof.segments[0]!.checkpoint.seq += 1;
        }),
      ),
    ).toContain("proof.segments[0].checkpoint.seq");
    const cut = resigned((b) => void b.proof.segments[0]!.links.pop());
    expect(parts(cut)).toContain("proof.segments[0].checkpoint.heads");
  });

  it("finds records that differ from their audit rows, data off its digest, and records left out", () => {
    expect(
      parts(
        resigned((b) => {
          b.records[1]!.type = "call.rejected";
        }),
      ),
    ).toContain("records[1].type");
    expect(
      parts(
        resigned((b) => {
          (b.records[2]!.data as { chargedMicros: number }).chargedMicros = 1;
        }),
      ),
    ).toContain("records[2].data");
    expect(parts(resigned((b) => void b.records.splice(1, 1)))).toContain("records");
    expect(
      parts(
        resigned((b) => {
          b.records[0]!.seq = 999;
        }),
      ),
    ).toContain("records[0]");
  });

  it("checks each segment of a split proof on its own checkpoint; segments may not overlap", () => {
    const split = adminDossier({ split: true });
    expect(split.dossier.proof.segments).toHaveLength(2);
    expect(verifyDossier(split, signingKey.publicKey)).toMatchObject({ ok: true, problems: [] });
    expect(verifyDossier(split).checkpoints.map((c) => c.id)).toEqual([6, 7]);
    const body = copy(split.dossier);
    body.proof.segments[1]!.links[0]!.type = "call.forged";
    expect(parts(sign(body))).toContain("proof.segments[1].links[seq 8]");
    const swapped = copy(split.dossier);
    swapped.proof.segments.reverse();
    expect(parts(sign(swapped))).toContain("proof.segments[1]");
    const cp = copy(split.dossier);
    cp.proof.segments[0]!.checkpoint = split.dossier.proof.segments[1]!.checkpoint;
    expect(parts(sign(cp))).toContain("proof.segments[0].checkpoint.heads");
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
      b.postings.push({ ...b.postings[0]!, postingId: "pst_2", kind: "refund", eventId: "evt_elsewhere" });
    });
    expect(verifyDossier(refund, signingKey.publicKey).problems).toEqual([]);
  });

  it("finds postings and recordings that are not the audited ones", () => {
    expect(
      parts(
        resigned((b) => {
          b.postings[0]!.eventId = "evt_forged";
        }),
      ),
    ).toContain("postings[0].eventId");
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
          b.postings[0]!.entries[2]!.amountMicros = -100;
        }),
      ),
    ).toContain("postings[0].entries");
    expect(
      parts(
        resigned((b) => {
          b.recordings[0]!.sha256 = "cd".repeat(32);
        }),
      ),
    ).toContain("recordings[0].sha256");
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
    bad.dossier.proof.segments[0]!.links[1]!.eventId = "evt_x";
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
