// Repair for holds that could otherwise never end: every call the calls read model shows holding its
// buyer (routed, ringing, connected) is put back on the sweep set, due now, unless it is on it already
// (ZADD NX keeps its time). The sweeper then visits each; the call itself decides (call/holds.ts): it
// reschedules a hold not yet due, ends one past its maximum duration, or drops the entry of a call
// that in fact ended. For calls already live when maximum call durations were deployed (their entry
// was removed when they were placed) and for entries a Redis crash lost. Safe to run again. Usage:
//   npm run holds:resweep
import postgres from "postgres";
import { HOLDING_STATUSES } from "../actors/call/holds.ts";
import { SWEEP_SET } from "../actors/call/sweeper.ts";
import type { Sql } from "../actors/platform/postgres.ts";
import { createRedis, type Redis } from "../actors/platform/redis.ts";
import { isMain } from "./is-main.ts";

const BATCH = 1_000;

/** Re-enqueues the holding calls; returns how many the read model listed and how many were missing. */
export async function resweepHolds(
  sql: Sql,
  redis: Redis,
  nowMs: number,
): Promise<{ holding: number; added: number }> {
  let holding = 0;
  let added = 0;
  let after = "";
  for (;;) {
    const rows = await sql<{ callId: string }[]>`
      select call_id as "callId" from calls
      where (status in ${sql(HOLDING_STATUSES)} or conversion_status = 'awaiting') and call_id > ${after}
      order by call_id limit ${BATCH}`;
    if (rows.length === 0) break;
    holding += rows.length;
    added += Number(await redis.zadd(SWEEP_SET, "NX", ...rows.flatMap((r) => [nowMs, r.callId])));
    after = rows.at(-1)!.callId;
  }
  return { holding, added };
}

if (isMain(import.meta.url)) {
  const sql = postgres(process.env.DATABASE_URL ?? "postgres://dce:dce@127.0.0.1:5433/dce", {
    max: 1,
    onnotice: () => undefined,
  });
  const redis = createRedis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
  try {
    console.log(JSON.stringify(await resweepHolds(sql, redis, Date.now())));
  } finally {
    redis.disconnect();
    await sql.end({ timeout: 2 });
  }
}
