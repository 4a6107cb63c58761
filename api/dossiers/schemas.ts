// The dossier routes' response bodies for the OpenAPI document (loose: fields may be added).
import * as v from "valibot";
import { Recording } from "../schemas/responses.ts";

const Int = v.pipe(v.number(), v.integer());
const Hex = v.string();

// The two tuples below are described as arrays of a fixed length, not as tuples (`prefixItems`): OpenAPI
// 3.1 allows tuples, but schemathesis (the e2e fuzzer) cannot load one. Their element types are the
// TypeScript tuples `AuditRowTuple` and `CheckpointTuple` in proof.ts, and docs/dossiers.md.

/** [seq, eventId, type, aggregateType, aggregateId, occurredAt, payloadDigest] of one of the call's rows. */
const AuditRowTuple = v.pipe(v.array(v.union([Int, v.string()])), v.length(7));

/** [id, seq, head, at, heads [[chain, seq, hash]…], mac]; the mac is HMAC-SHA256 with the exchange's key. */
const CheckpointTuple = v.pipe(v.array(v.unknown()), v.length(6));

const AuditRecord = v.looseObject({
  auditRow: AuditRowTuple,
  data: v.unknown(),
  /** False when the viewer's view cut the event's data, so only the signature covers it. */
  dataWhole: v.boolean(),
});

export const DossierPublicKey = v.looseObject({
  algorithm: v.literal("Ed25519"),
  signingKeyId: v.string(),
  /** The raw 32-byte Ed25519 public key, base64. */
  publicKey: v.string(),
});

export const SignedDossier = v.looseObject({
  dossier: v.looseObject({
    dossierFormat: v.literal(2),
    callId: v.string(),
    issuedAt: v.string(),
    /** "admin", "buyer:<id>" or "seller:<id>": whose view it is. */
    issuedTo: v.string(),
    callView: v.looseObject({}),
    gates: v.array(v.looseObject({ gate: v.string(), passed: v.boolean(), code: v.optional(v.string()) })),
    records: v.array(AuditRecord),
    postings: v.array(
      v.looseObject({
        postingId: v.string(),
        kind: v.string(),
        reference: v.string(),
        fromEvent: v.nullable(v.string()),
        occurredAt: v.string(),
        postingEntries: v.array(v.looseObject({ accountId: v.string(), amountMicros: Int })),
      }),
    ),
    recordings: v.array(Recording),
    proof: v.looseObject({
      auditChain: Int,
      segments: v.array(
        v.looseObject({
          prevHash: Hex,
          firstSeq: Int,
          /** Each row's leaf (opaque sha256); null where the row is one of `records`. */
          leaves: v.array(v.nullable(Hex)),
          checkpoint: CheckpointTuple,
        }),
      ),
    }),
  }),
  /** Ed25519 over the canonical JSON of `dossier` (docs/dossiers.md). */
  signature: v.looseObject({ ...DossierPublicKey.entries, ed25519: v.string() }),
});
