// The call → subject row an offer writes first in the call actor's turn, before anything else keeps the
// caller's keyed hash, so an erasure running meanwhile finds the call. An erasure clears call documents
// through CallActor.forgetCaller, which waits for the offer's turn to end, and only then drops the
// Redis traces: whatever the offer wrote under the hash is gone with them.
import { ERASED_CALLER } from "../call/rules.ts";
import type { Sql } from "../platform/postgres.ts";

/**
 * `recorded` when this offer wrote the row (the call's first offer), `replayed` when a row was there,
 * `erased` when that row is an erasure's tombstone (a replay keeps the first row, erased or not).
 */
export async function recordCallSubject(
  sql: Sql,
  callId: string,
  callerHash: string,
  nowMs: number,
): Promise<"recorded" | "replayed" | "erased"> {
  const rows = await sql<{ caller_hash: string; written: boolean }[]>`
    with ins as (
      insert into call_subjects (call_id, caller_hash, recorded_at)
      values (${callId}, ${callerHash}, ${new Date(nowMs).toISOString()})
      on conflict do nothing returning caller_hash
    )
    select caller_hash, true as written from ins
    union all
    select caller_hash, false as written from call_subjects
    where call_id = ${callId} and not exists (select 1 from ins)`;
  const row = rows[0];
  if (row?.written) return "recorded";
  return row?.caller_hash === ERASED_CALLER ? "erased" : "replayed";
}
