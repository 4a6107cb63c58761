// The recording store: a carrier's recording callback becomes a row (pending until the media's SHA-256
// is known), then `recording.stored` with the URL and hash in the audit chain; after its retention the
// row forgets its URL and `recording.deleted` is audited. Every write is once per (call, recording).
import { and, asc, eq, isNull, lte, type SQL } from "drizzle-orm";
import { domainEvent } from "../../../actors/kernel/events.ts";
import { DAY_MS } from "../../../actors/kernel/media.ts";
import type { Digest } from "../../../actors/platform/egress-digest.ts";
import { recordAudited } from "../../audit/audit-log.ts";
import type { Db } from "../../db/client.ts";
import { type CallRecordingRow, callRecordings } from "../../db/recording-schema.ts";

export interface RecordingReport {
  provider: "twilio" | "telnyx";
  callId: string;
  recordingSid: string;
  url: string;
  durationSec: number;
  channels: number;
}

/** Retries of a failed media fetch back off from a minute to at most an hour. */
export function nextFetchDelayMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Saves a reported recording as pending (a repeated callback finds the row it wrote and changes
 * nothing). Answers the row and whether this report created it.
 */
export async function receiveRecording(
  db: Db,
  r: RecordingReport,
  parties: { sellerId: string; buyerId?: string },
  retentionDays: number,
  nowMs: number,
): Promise<{ row: CallRecordingRow; created: boolean }> {
  const inserted = await db
    .insert(callRecordings)
    .values({
      ...r,
      sellerId: parties.sellerId,
      buyerId: parties.buyerId ?? null,
      status: "pending",
      nextFetchAt: iso(nowMs),
      retentionUntil: iso(nowMs + retentionDays * DAY_MS),
      createdAt: iso(nowMs),
    })
    .onConflictDoNothing()
    .returning();
  if (inserted[0]) return { row: inserted[0], created: true };
  const [row] = await db
    .select()
    .from(callRecordings)
    .where(and(eq(callRecordings.callId, r.callId), eq(callRecordings.recordingSid, r.recordingSid)));
  if (!row) throw new Error(`recording ${r.callId}/${r.recordingSid} vanished`);
  return { row, created: false };
}

/** The media's hash is known: the row is stored and `recording.stored` (URL, SHA-256) audited, once. */
export async function markStored(db: Db, row: CallRecordingRow, digest: Digest, nowMs: number) {
  return db.transaction(async (tx) => {
    const done = await tx
      .update(callRecordings)
      .set({ status: "stored", sha256: digest.sha256, nextFetchAt: null, lastError: null })
      .where(keyOf(row, eq(callRecordings.status, "pending")))
      .returning();
    if (!done[0]) return false;
    const event = domainEvent("recording.stored", { type: "call", id: row.callId }, row.recordingSid, nowMs, {
      callId: row.callId,
      recordingSid: row.recordingSid,
      provider: row.provider,
      url: row.url,
      sha256: digest.sha256,
      bytes: digest.bytes,
      durationSec: row.durationSec,
      channels: row.channels,
      retentionUntil: row.retentionUntil,
    });
    await recordAudited(tx, [event]);
    return true;
  });
}

/** A failed fetch: the row stays pending, to be fetched again after a back-off. */
export async function markFetchFailed(db: Db, row: CallRecordingRow, error: string, nowMs: number) {
  const attempts = row.fetchAttempts + 1;
  await db
    .update(callRecordings)
    .set({
      fetchAttempts: attempts,
      lastError: error.slice(0, 500),
      nextFetchAt: iso(nowMs + nextFetchDelayMs(attempts)),
    })
    .where(keyOf(row, eq(callRecordings.status, "pending")));
}

/** Pending recordings due for another fetch, oldest first. */
export function duePending(db: Db, nowMs: number, limit: number) {
  return db
    .select()
    .from(callRecordings)
    .where(and(eq(callRecordings.status, "pending"), lte(callRecordings.nextFetchAt, iso(nowMs))))
    .orderBy(asc(callRecordings.nextFetchAt))
    .limit(limit);
}

/**
 * Deletes the recordings past their retention (the URL forgotten, the hash kept) and audits each
 * deletion with `recording.deleted`; answers how many it deleted.
 */
export async function deleteExpired(db: Db, nowMs: number, limit: number): Promise<number> {
  const due = await db
    .select()
    .from(callRecordings)
    .where(and(isNull(callRecordings.deletedAt), lte(callRecordings.retentionUntil, iso(nowMs))))
    .orderBy(asc(callRecordings.retentionUntil))
    .limit(limit);
  let deleted = 0;
  for (const row of due) {
    const done = await db.transaction(async (tx) => {
      const gone = await tx
        .update(callRecordings)
        .set({ status: "deleted", url: null, deletedAt: iso(nowMs), nextFetchAt: null })
        .where(keyOf(row, isNull(callRecordings.deletedAt)))
        .returning();
      if (!gone[0]) return false;
      const agg = { type: "call", id: row.callId } as const;
      const event = domainEvent("recording.deleted", agg, row.recordingSid, nowMs, {
        callId: row.callId,
        recordingSid: row.recordingSid,
        sha256: row.sha256,
        reason: "retention",
        retentionUntil: row.retentionUntil,
      });
      await recordAudited(tx, [event]);
      return true;
    });
    if (done) deleted++;
  }
  return deleted;
}

/** A call's recordings, oldest first. */
export function recordingsOf(db: Db, callId: string) {
  return db
    .select()
    .from(callRecordings)
    .where(eq(callRecordings.callId, callId))
    .orderBy(asc(callRecordings.createdAt), asc(callRecordings.recordingSid));
}

function keyOf(row: CallRecordingRow, also: SQL) {
  return and(eq(callRecordings.callId, row.callId), eq(callRecordings.recordingSid, row.recordingSid), also);
}
