// Test helper: a small audit chain with a call's records among other aggregates' rows, a signed
// checkpoint over it and a signed dossier, built with the production hash and signing functions.

import { ed25519PrivateKey } from "../../scripts/stack/secrets.ts";
import { type ChainRow, chainOf, GENESIS, leafOf, payloadDigest, rowHash } from "../audit/chain.ts";
import { type Head, signCheckpoint } from "../audit/checkpoint.ts";
import { type AuditRecord, checkpointTuple, rowTuple } from "./proof.ts";
import { type SigningKey, signBody, signingKeyFrom } from "./sign.ts";
import type { DossierBody, SignedDossier } from "./verify.ts";

export const CALL = "call_dossier_1";
export const HMAC_KEY = "k".repeat(32);
export const signingKey: SigningKey = signingKeyFrom(ed25519PrivateKey());

/** Rows of the call's chain: `others` unrelated rows between each of the call's events. */
export function chainRows(others = 2) {
  const chain = chainOf(CALL);
  const events: { aggregateId: string; type: string; data: unknown }[] = [
    { aggregateId: "byr_other", type: "buyer.deposited", data: { amountMicros: 5 } },
    { aggregateId: CALL, type: "call.offered", data: { sellerId: "sel_1", vertical: "auto" } },
  ];
  for (const [type, data] of [
    ["call.routed", { buyerId: "byr_1", priceMicros: 1000 }],
    ["call.billable", { callId: CALL, chargedMicros: 1000, payoutMicros: 800 }],
    ["recording.stored", { callId: CALL, recordingSid: "RE1", sha256: "ab".repeat(32), url: "https://x" }],
  ] as const) {
    for (let i = 0; i < others; i++)
      events.push({ aggregateId: `call_x${events.length}`, type: "call.offered", data: { i } });
    events.push({ aggregateId: CALL, type, data });
  }
  events.push({ aggregateId: "sel_9", type: "seller.created", data: { name: "n" } });
  let prev = GENESIS;
  const rows: (ChainRow & { data: unknown })[] = events.map((e, i) => {
    const base = {
      chain,
      seq: i + 1,
      eventId: `evt_${i}`,
      type: e.type,
      aggregateType: e.aggregateId.startsWith("call") ? "call" : "buyer",
      aggregateId: e.aggregateId,
      occurredAt: new Date(1_800_000_000_000 + i * 1000).toISOString(),
      payloadDigest: payloadDigest(e.data),
      prevHash: prev,
    };
    const hash = rowHash(base);
    prev = hash;
    return { ...base, hash, data: e.data };
  });
  return { chain, rows };
}

/** A dossier an admin would get (whole data), signed; `split`: two segments, the gap between not shown. */
export function adminDossier(opts: { split?: boolean } = {}): SignedDossier {
  const { chain, rows } = chainRows();
  const checkpointAt = (id: number, seq: number) => {
    const heads: Head[] = [{ chain, seq, hash: rows[seq - 1]!.hash }];
    if (chain !== 0) heads.push({ chain: 0, seq: 3, hash: "0f".repeat(32) });
    return signCheckpoint(HMAC_KEY, id, heads, "2027-01-15T09:00:00.000Z");
  };
  const checkpoint = checkpointAt(7, rows.length);
  const mine = rows.filter((r) => r.aggregateId === CALL);
  const records: AuditRecord[] = mine.map((r) => ({ auditRow: rowTuple(r), data: r.data, dataWhole: true }));
  const segment = (from: number, to: number, c: typeof checkpoint) => {
    const span = rows.filter((r) => r.seq >= from && r.seq <= to);
    return {
      prevHash: span[0]!.prevHash,
      firstSeq: from,
      leaves: span.map((r) => (r.aggregateId === CALL ? null : leafOf(r))),
      checkpoint: checkpointTuple(c),
    };
  };
  const first = mine[0]!.seq;
  const segments = opts.split
    ? [
        segment(first, mine[1]!.seq, checkpointAt(6, mine[1]!.seq)),
        segment(mine[2]!.seq, rows.length, checkpoint),
      ]
    : [segment(first, rows.length, checkpoint)];
  const billable = mine.find((r) => r.type === "call.billable")!;
  const body: DossierBody = {
    dossierFormat: 2,
    callId: CALL,
    issuedAt: "2027-01-15T08:00:01.000Z",
    issuedTo: "admin",
    callView: { callId: CALL, status: "completed" },
    gates: [{ gate: "seller", passed: true }],
    records,
    postings: [
      {
        postingId: "pst_1",
        kind: "charge",
        reference: CALL,
        fromEvent: billable.eventId,
        occurredAt: billable.occurredAt,
        postingEntries: [
          { accountId: "buyer:byr_1", amountMicros: 1000 },
          { accountId: "seller:sel_1", amountMicros: -800 },
          { accountId: "revenue", amountMicros: -200 },
        ],
      },
    ],
    recordings: [{ recordingSid: "RE1", sha256: "ab".repeat(32) }],
    proof: { auditChain: chain, segments },
  };
  return sign(body);
}

export const sign = (body: DossierBody): SignedDossier => ({
  dossier: body,
  signature: { ...signBody(signingKey, body), publicKey: signingKey.publicKey },
});

export const copy = <T>(v: T): T => structuredClone(v);
