// The caller side of an offer: the keyed request hash (the body holds the number, so a plain SHA-256
// could be reversed by trying every number), the call → subject row written before the call actor sees
// the offer, and the check after it that leaves nothing behind if the subject was erased meanwhile.
import { createHash } from "node:crypto";
import type { DaprClient } from "@dapr/dapr";
import { eq } from "drizzle-orm";
import { ERASED_CALLER, KEYED_REQUEST_HASH } from "../../actors/call/rules.ts";
import { canonicalJson } from "../../actors/kernel/canonical-json.ts";
import type { PiiKeyring } from "../../actors/platform/pii-keys.ts";
import type { Redis } from "../../actors/platform/redis.ts";
import type { Db } from "../db/client.ts";
import { callSubjects } from "../db/compliance-schema.ts";
import { forgetInCallDocuments, forgetRedisTraces } from "./subjects.ts";

/**
 * `requestHash` is HMAC-SHA256 under the PII hash key. `legacyRequestHash`, the plain SHA-256 call
 * documents held before, goes to the actor for comparison with such documents only and is not stored.
 */
export function offerRequestHashes(keys: PiiKeyring, input: unknown) {
  const body = canonicalJson(input);
  return {
    requestHash: keys.mac(KEYED_REQUEST_HASH, `offer\u0000${body}`),
    legacyRequestHash: createHash("sha256").update(body).digest("hex"),
  };
}

/**
 * Before the offer: which subject this call belongs to. `recorded` when this request wrote the row (the
 * call's first offer), `replayed` when a row was there, `erased` when that row is an erasure's tombstone
 * (a replay keeps the first row, erased or not).
 */
export async function recordCallSubject(
  db: Db,
  callId: string,
  callerHash: string,
  nowMs: number,
): Promise<"recorded" | "replayed" | "erased"> {
  const written = await db
    .insert(callSubjects)
    .values({ callId, callerHash, recordedAt: new Date(nowMs).toISOString() })
    .onConflictDoNothing()
    .returning({ callId: callSubjects.callId });
  if (written.length > 0) return "recorded";
  const [row] = await db
    .select({ hash: callSubjects.callerHash })
    .from(callSubjects)
    .where(eq(callSubjects.callId, callId));
  return row?.hash === ERASED_CALLER ? "erased" : "replayed";
}

/**
 * After a call's first offer (never a replay: a replay of a call erased long ago must not wipe what the
 * same number has done since): if an erasure tombstoned this call's subject row while the offer ran, the keyed
 * hash the offer wrote since (call document, counters, duplicate-caller keys, a new subject key) goes.
 * An erasure either sees the row (and clears the document itself) or ran before it was written.
 */
export async function settleOfferedCaller(
  deps: { db: Db; redis: Redis; dapr: DaprClient },
  callId: string,
  callerHash: string,
): Promise<boolean> {
  const [row] = await deps.db
    .select({ hash: callSubjects.callerHash })
    .from(callSubjects)
    .where(eq(callSubjects.callId, callId));
  if (row?.hash !== ERASED_CALLER) return false;
  await forgetInCallDocuments(deps.dapr, [callId]);
  await forgetRedisTraces(deps.redis, callerHash);
  return true;
}
