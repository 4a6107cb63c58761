// Checks a dossier offline, pure: the exchange's Ed25519 signature over its body, the inclusion proof
// of every record up to the checkpoint head it names, and that postings and recordings are the ones
// audited. Every problem found is reported (the verifier command prints them).
import { type AuditRecord, checkProof, type Problem, type Proof } from "./proof.ts";
import { keyIdOf, type Signature, signatureValid } from "./sign.ts";

export interface DossierPosting {
  postingId: string;
  kind: string;
  reference: string;
  /** The audited event the posting was made from (a charge: the call's `call.billable`). */
  fromEvent: string | null;
  occurredAt: string;
  /** The viewer's own account's entries (an admin: all of them, which sum to 0). */
  postingEntries: { accountId: string; amountMicros: number }[];
}

export interface DossierRecording {
  recordingSid: string;
  sha256: string | null;
}

/** The signed part of a dossier (what `GET /v1/calls/{callId}/dossier` answers in `dossier`). */
export interface DossierBody {
  dossierFormat: 2;
  callId: string;
  issuedAt: string;
  /** Whose view this is: "admin", or "buyer:<id>" / "seller:<id>". */
  issuedTo: string;
  callView: unknown;
  gates: unknown[];
  records: AuditRecord[];
  postings: DossierPosting[];
  recordings: DossierRecording[];
  proof: Proof;
}

export interface SignedDossier {
  dossier: DossierBody;
  signature: Signature & { publicKey?: string };
}

export interface Verdict {
  ok: boolean;
  problems: Problem[];
  /** Which key checked the signature: given by the verifier's user, or only the one the file names. */
  keySource: "given" | "embedded";
  /** The checkpoints the proof's segments end at, in order. */
  checkpoints: { id: number; seq: number; head: string; at: string }[];
}

/** Every check of a signed dossier; `publicKey` (raw base64) is the exchange's, from a trusted source. */
export function verifyDossier(file: SignedDossier, publicKey?: string): Verdict {
  const problems: Problem[] = [];
  const bad = (part: string, message: string) => problems.push({ part, message });
  const body = file?.dossier;
  const sig = file?.signature;
  const key = publicKey ?? sig?.publicKey;
  const keySource = publicKey ? "given" : "embedded";
  if (!body || typeof body !== "object" || !sig) {
    return {
      ok: false,
      keySource,
      checkpoints: [],
      problems: [{ part: "file", message: "not a dossier: needs `dossier` and `signature`" }],
    };
  }
  if (!key) bad("signature", "no public key: pass --public-key (GET /v1/dossiers/public-key)");
  else if (sig.signingKeyId !== keyIdOf(key))
    bad("signature.signingKeyId", "the dossier names another signing key");
  else if (!signatureValid(key, body, sig))
    bad("signature", "the Ed25519 signature does not match the dossier's contents");

  const records = Array.isArray(body.records) ? body.records : [];
  if (!body.proof) bad("proof", "the dossier has no inclusion proof");
  else problems.push(...checkProof(body.callId, body.proof, records));

  const audited = new Set(records.map((r) => r.auditRow?.[1]));
  for (const [i, p] of (body.postings ?? []).entries()) {
    if (p.reference !== body.callId)
      bad(`postings[${i}]`, `posting ${p.postingId} is not for call ${body.callId}`);
    // A charge is posted from the call's own `call.billable`; other kinds (refunds, later adjustments)
    // may come from other aggregates' events, which the proof does not carry: the signature covers them.
    if (p.kind === "charge" && p.fromEvent !== null && !audited.has(p.fromEvent))
      bad(
        `postings[${i}].fromEvent`,
        `posting ${p.postingId}'s event ${p.fromEvent} is not among the audited records`,
      );
    const sum = (p.postingEntries ?? []).reduce((n, e) => n + e.amountMicros, 0);
    if (body.issuedTo === "admin" && sum !== 0)
      bad(`postings[${i}].postingEntries`, `posting ${p.postingId} sums to ${sum}, not 0`);
  }
  const storedHashes = new Set(
    records
      .filter((r) => r.auditRow?.[2] === "recording.stored")
      .map((r) => (r.data as { sha256?: string } | null)?.sha256)
      .filter((h): h is string => typeof h === "string"),
  );
  for (const [i, r] of (body.recordings ?? []).entries())
    if (r.sha256 !== null && !storedHashes.has(r.sha256))
      bad(`recordings[${i}].sha256`, `recording ${r.recordingSid}'s hash is not the one audited`);

  const checkpoints = (body.proof?.segments ?? []).map(({ checkpoint: c }) => ({
    id: c?.[0],
    seq: c?.[1],
    head: c?.[2],
    at: c?.[3],
  }));
  return { ok: problems.length === 0, problems, keySource, checkpoints };
}
