// A call whose documents expired lives on in Postgres (the calls read model the events app keeps).
// What the call actor answers for it instead of starting afresh with an empty document.
import { type Refused, refuse } from "../kernel/result.ts";
import type { Sql } from "../platform/postgres.ts";
import { HOLDING_STATUSES } from "./holds.ts";

/** Whether the calls read model knows the call at all: it was saved once (one primary-key lookup). */
export async function isRecorded(sql: Sql, callId: string): Promise<boolean> {
  const rows = await sql`select 1 from calls where call_id = ${callId} limit 1`;
  return rows.length > 0;
}

/**
 * Whether the call finished and was recorded as finished: its documents expired after the retention.
 * A call the read model still shows in progress whose document is gone was lost with Redis (a machine
 * crash), not archived: it is unknown until `npm run repair` ends it.
 */
export async function isArchived(sql: Sql, callId: string): Promise<boolean> {
  const rows = await sql`select 1 from calls where call_id = ${callId}
    and status not in ${sql(HOLDING_STATUSES)} limit 1`;
  return rows.length > 0;
}

export function archivedRefusal(callId: string): Refused {
  return refuse(
    "call_archived",
    `call ${callId} has finished and its live record has expired; GET /v1/calls/${callId} shows it, a new call needs a new Idempotency-Key`,
  );
}
