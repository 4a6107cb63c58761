// Data-subject rights for a phone number: export everything held about it as JSON, and erase it.
// Erasure shreds the subject key (every ciphertext copy becomes unreadable), drops counters, duplicate-
// caller keys and the keyed hash in call documents and read models; call records and the ledger stay
// (5-year retention), and Do-Not-Call suppression stays too: a stop-calling request must outlive the
// erasure. An offer in flight meanwhile runs in its call actor's turn, which forgetCaller waits for
// (actors/compliance/offer-subject.ts).

import type { DaprClient } from "@dapr/dapr";
import { eq, inArray, sql } from "drizzle-orm";
import type { ICallActor } from "../../actors/call/call-api.ts";
import { ERASED_CALLER } from "../../actors/call/rules.ts";
import { lookupCaller, velocityKey } from "../../actors/platform/compliance-store.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import { phoneHash, shredSubject, subjectKeyName } from "../../actors/platform/pii.ts";
import type { PiiKeyring } from "../../actors/platform/pii-keys.ts";
import type { Redis } from "../../actors/platform/redis.ts";
import { forgetCallerEverywhere } from "../../actors/runtime/recent-callers.ts";
import type { Db } from "../db/client.ts";
import { callSubjects, consents, fraudDecisions, suppressions } from "../db/compliance-schema.ts";
import { calls } from "../db/schema.ts";
import { actorCall } from "../validate.ts";

export const ERASED = ERASED_CALLER;

interface Deps {
  redis: Redis;
  db: Db;
  pii: PiiKeyring;
  dapr: DaprClient;
}

export async function exportSubject(deps: Deps, e164: string, nowMs: number) {
  const { redis, db } = deps;
  const hash = phoneHash(deps.pii, e164);
  const [callRows, consentRows, suppressionRows, fraudRows, lookup, keyExists, velocity] = await Promise.all([
    db
      .select()
      .from(calls)
      .where(inArray(calls.callId, callsOf(hash))),
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
  /** Call actor documents that still held the caller's keyed hash or ciphertext. */
  callDocumentsCleared: number;
  consentsRestricted: number;
  fraudDecisionsTombstoned: number;
  countersDropped: number;
  keptSuppression: string[];
}

/** Call ids this subject offered: from call_subjects, and from the read model for calls before it. */
function callsOf(hash: string) {
  return sql`(select ${callSubjects.callId} from ${callSubjects} where ${callSubjects.callerHash} = ${hash}
    union select ${calls.callId} from ${calls} where ${calls.callerHash} = ${hash})`;
}

/** Everything Redis holds under the caller's keyed hash, bar the suppression kept by law. */
export async function forgetRedisTraces(redis: Redis, hash: string): Promise<number> {
  const counters = [velocityKey(hash)];
  for await (const keys of redis.scanStream({ match: `dce:freq:${hash}:*`, count: 500 })) {
    counters.push(...(keys as string[]));
  }
  const dropped = await redis.del(...counters);
  return dropped + (await forgetCallerEverywhere(redis, hash)) + (await redis.del(subjectKeyName(hash)));
}

/** Each call actor's document drops the caller's keyed hash and ciphertext (a few at a time). */
export async function forgetInCallDocuments(dapr: DaprClient, callIds: string[]): Promise<number> {
  let cleared = 0;
  for (let i = 0; i < callIds.length; i += 8) {
    const done = await Promise.all(
      callIds
        .slice(i, i + 8)
        .map((id) => actorCall(actorProxy<ICallActor>(dapr, "CallActor", id).forgetCaller({}))),
    );
    cleared += done.filter((d) => d.forgotten).length;
  }
  return cleared;
}

export async function eraseSubject(deps: Deps, e164: string, nowMs: number): Promise<ErasureReport> {
  const { redis, db } = deps;
  const hash = phoneHash(deps.pii, e164);
  const keyShredded = await shredSubject(redis, hash);
  const at = new Date(nowMs).toISOString();
  // Call documents first, while the calls can still be found: if an actor cannot be reached, the
  // erasure fails before any tombstone and a retry finds every call again.
  const known = (await db.execute<{ call_id: string }>(callsOf(hash))).map((r) => r.call_id);
  let callDocumentsCleared = await forgetInCallDocuments(deps.dapr, known);
  const report = await db.transaction(async (tx) => {
    const callIds = (
      await tx
        .update(callSubjects)
        .set({ callerHash: ERASED })
        .where(eq(callSubjects.callerHash, hash))
        .returning({ id: callSubjects.callId })
    ).map((r) => r.id);
    const tombstoned = await tx
      .update(calls)
      .set({ callerHash: ERASED })
      .where(eq(calls.callerHash, hash))
      .returning({ id: calls.callId });
    const all = [...new Set([...callIds, ...tombstoned.map((r) => r.id)])];
    // Events recorded before the keyed hash left them: their copy is tombstoned too, by the one write
    // to domain events the app may make (a SECURITY DEFINER function, migration 0012).
    for (let i = 0; i < all.length; i += 500) {
      const ids = JSON.stringify(all.slice(i, i + 500));
      await tx.execute(
        sql`select erase_event_callers(array(select jsonb_array_elements_text(${ids}::jsonb)))`,
      );
    }
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
    return { callIds: all, consents: restricted.length, fraud: fraud.length };
  });
  // Calls recorded since the first look: an offer that recorded its subject before the tombstones is
  // found here, and its forgetCaller waits for the offer's turn; one after them is a new call.
  const seen = new Set(known);
  callDocumentsCleared += await forgetInCallDocuments(
    deps.dapr,
    report.callIds.filter((id) => !seen.has(id)),
  );
  const countersDropped = await forgetRedisTraces(redis, hash);
  const lookup = await lookupCaller(redis, hash);
  return {
    keyShredded,
    callsTombstoned: report.callIds.length,
    callDocumentsCleared,
    consentsRestricted: report.consents,
    fraudDecisionsTombstoned: report.fraud,
    countersDropped,
    keptSuppression: [...lookup.dncLists, ...lookup.scopes],
  };
}
