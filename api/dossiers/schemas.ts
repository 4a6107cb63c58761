// The dossier routes' response bodies for the OpenAPI document (loose: fields may be added).
import * as v from "valibot";
import { Recording } from "../schemas/responses.ts";

const Int = v.pipe(v.number(), v.integer());
const Hex = v.string();

const Link = v.looseObject({
  seq: Int,
  eventId: v.string(),
  type: v.string(),
  aggregateType: v.string(),
  aggregateId: v.string(),
  occurredAt: v.string(),
  payloadDigest: Hex,
  hash: Hex,
});

const Checkpoint = v.looseObject({
  id: Int,
  seq: Int,
  head: Hex,
  heads: v.array(v.looseObject({ chain: Int, seq: Int, hash: Hex })),
  at: v.string(),
  /** HMAC-SHA256 with the exchange's audit key: partners cannot check it (docs/dossiers.md). */
  mac: Hex,
});

const AuditRecord = v.looseObject({
  ...Link.entries,
  hash: v.optional(Hex),
  data: v.unknown(),
  /** False when the viewer's view cut the event's data, so only the signature covers it. */
  dataWhole: v.boolean(),
});

export const DossierPublicKey = v.looseObject({
  algorithm: v.literal("Ed25519"),
  keyId: v.string(),
  /** The raw 32-byte Ed25519 public key, base64. */
  publicKey: v.string(),
});

export const SignedDossier = v.looseObject({
  dossier: v.looseObject({
    version: v.literal(1),
    callId: v.string(),
    issuedAt: v.string(),
    issuedTo: v.looseObject({ role: v.string(), accountId: v.nullable(v.string()) }),
    call: v.looseObject({}),
    gates: v.array(v.looseObject({ gate: v.string(), passed: v.boolean(), code: v.optional(v.string()) })),
    records: v.array(AuditRecord),
    postings: v.array(
      v.looseObject({
        postingId: v.string(),
        kind: v.string(),
        reference: v.string(),
        eventId: v.nullable(v.string()),
        occurredAt: v.string(),
        entries: v.array(v.looseObject({ accountId: v.string(), amountMicros: Int })),
      }),
    ),
    recordings: v.array(Recording),
    proof: v.looseObject({
      chain: Int,
      segments: v.array(v.looseObject({ prevHash: Hex, links: v.array(Link), checkpoint: Checkpoint })),
    }),
  }),
  /** Ed25519 over the canonical JSON of `dossier` (docs/dossiers.md). */
  signature: v.looseObject({ ...DossierPublicKey.entries, value: v.string() }),
});
