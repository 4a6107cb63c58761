// Data-subject rights for a phone number: export everything held about it as JSON, and erase it.
// Erasure shreds the subject key (every ciphertext copy becomes unreadable), drops counters and
// tombstones the keyed hash in read models; call records and the ledger stay (5-year retention),
// and Do-Not-Call suppression stays too: a stop-calling request must outlive the erasure.

import { and, eq, inArray, sql } from "drizzle-orm";
import { lookupCaller, velocityKey } from "../../actors/runtime/compliance-store.ts";
import { phoneHash, shredSubject } from "../../actors/runtime/pii.ts";
import type { PiiKeyring } from "../../actors/runtime/pii-keys.ts";
import type { Redis } from "../../actors/runtime/redis.ts";
import type { Db } from "../db/client.ts";
import { consents, fraudDecisions, suppressions } from "../db/compliance-schema.ts";
import { calls, domainEvents } from "../db/schema.ts";

export const ERASED = "erased";
const subjectKeyName = (hash: string) => `dce:subject-key:${hash}`;

interface Deps {
  redis: Redis;
  db: Db;
  pii: PiiKeyring;
}

export async function exportSubject(deps: Deps, e164: string, nowMs: number) {
  const { redis, db } = deps;
  const hash = phoneHash(deps.pii, e164);
  const [callRows, consentRows, suppressionRows, fraudRows, lookup, keyExists, velocity] = await Promise.all([
    db.select().from(calls).where(eq(calls.callerHash, hash)),
    db.select().from(consents).where(eq(consents.callerHash, hash)),
    db.select().from(suppressions).where(eq(suppressions.callerHash, hash)),
    db.select().from(fraudDecisions).where(eq(fraudDecisions.callerHash, hash)),
    lookupCaller(redis, hash),
    redis.exists(subjectKeyName(hash)),
    redis.zcard(velocityKey(hash)),
  ]);
  return {
    subject: { phoneNumber: e164, keyedHash: hash, encryptionKeyHeld: keyExists === 1 },
    generatedAt: new Date(nowMs).toISOString(),
    calls: callRows.map(({ revision: _r, ...c }) => c),
    consents: consentRows,
    doNotCall: { lists: lookup.dncLists, suppressedBy: lookup.scopes, entries: suppressionRows },
    blocklisted: lookup.blocked,
    fraudDecisions: fraudRows,
    counters: { callsLast24h: velocity },
  };
}

export interface ErasureReport {
  keyShredded: boolean;
  callsTombstoned: number;
  consentsRestricted: number;
  fraudDecisionsTombstoned: number;
  countersDropped: number;
  keptSuppression: string[];
}

export async function eraseSubject(deps: Deps, e164: string, nowMs: number): Promise<ErasureReport> {
  const { redis, db } = deps;
  const hash = phoneHash(deps.pii, e164);
  const keyShredded = await shredSubject(redis, hash);
  const counters = [velocityKey(hash)];
  for await (const keys of redis.scanStream({ match: `dce:freq:${hash}:*`, count: 500 })) {
    counters.push(...(keys as string[]));
  }
  const countersDropped = await redis.del(...counters);
  const at = new Date(nowMs).toISOString();
  const report = await db.transaction(async (tx) => {
    const callIds = (await tx.select({ id: calls.callId }).from(calls).where(eq(calls.callerHash, hash))).map(
      (r) => r.id,
    );
    for (let i = 0; i < callIds.length; i += 500) {
      await tx
        .update(domainEvents)
        .set({ data: sql`jsonb_set(${domainEvents.data}, '{callerHash}', ${JSON.stringify(ERASED)}::jsonb)` })
        .where(
          and(
            eq(domainEvents.type, "call.offered"),
            inArray(domainEvents.aggregateId, callIds.slice(i, i + 500)),
          ),
        );
    }
    const tombstoned = await tx
      .update(calls)
      .set({ callerHash: ERASED })
      .where(eq(calls.callerHash, hash))
      .returning({ id: calls.callId });
    const restricted = await tx
      .update(consents)
      .set({ callerHash: ERASED, erasedAt: at })
      .where(eq(consents.callerHash, hash))
      .returning({ id: consents.id });
    const fraud = await tx
      .update(fraudDecisions)
      .set({ callerHash: ERASED })
      .where(eq(fraudDecisions.callerHash, hash))
      .returning({ id: fraudDecisions.id });
    return { calls: tombstoned.length, consents: restricted.length, fraud: fraud.length };
  });
  const lookup = await lookupCaller(redis, hash);
  return {
    keyShredded,
    callsTombstoned: report.calls,
    consentsRestricted: report.consents,
    fraudDecisionsTombstoned: report.fraud,
    countersDropped,
    keptSuppression: [...lookup.dncLists, ...lookup.scopes],
  };
}
