// Takes the periodic signed checkpoints of the audit chain heads: only over chains that still hold
// what the latest checkpoint anchored (a tampered log is never re-anchored by the app), one writer at
// a time (an advisory lock), then copied to Redis.
import { sql } from "drizzle-orm";
import { Counter, Gauge } from "prom-client";
import type { Logger } from "../../actors/platform/logger.ts";
import type { Redis } from "../../actors/platform/redis.ts";
import type { Db } from "../db/client.ts";
import type { Tx } from "../ledger/ledger.ts";
import { registry } from "../metrics.ts";
import type { ChainBreak } from "./chain.ts";
import {
  type Checkpoint,
  checkpointSigned,
  firstAnchorBreak,
  type Head,
  headsDigest,
  publishCheckpoint,
  readCheckpoints,
  signCheckpoint,
  storeCheckpoint,
} from "./checkpoint.ts";

const LOCK = 0x61756469; // "audi": serialises checkpoint writers across API replicas and the CLI

export type Latest = { checkpoint?: Checkpoint; forged?: ChainBreak };

/** The newest validly signed checkpoint of the table's and Redis's; a badly signed one is reported. */
export async function latestCheckpoint(db: Db | Tx, redis: Redis, key: string): Promise<Latest> {
  const { table, redis: cached } = await readCheckpoints(db, redis);
  let newest: Checkpoint | undefined;
  for (const c of [table, cached]) {
    if (!c) continue;
    if (!checkpointSigned(key, c))
      return { forged: { chain: -1, seq: Number(c.id), eventId: "", problem: "checkpoint_forged" } };
    if (!newest || c.id > newest.id) newest = c;
  }
  return newest ? { checkpoint: newest } : {};
}

export type Taken = { taken: Checkpoint } | { unchanged: Checkpoint } | { refused: ChainBreak };

/**
 * Signs the current heads. Refused when the chains no longer hold the latest checkpoint (or it is
 * forged), unless `reanchor` (an operator's deliberate act after a documented repair). Unchanged
 * heads make no new checkpoint.
 */
export async function takeCheckpoint(
  db: Db,
  redis: Redis,
  key: string,
  nowMs: number,
  opts: { reanchor?: boolean } = {},
): Promise<Taken> {
  const outcome = await db.transaction(async (tx): Promise<Taken> => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK})`);
    const latest = await latestCheckpoint(tx, redis, key);
    if (!opts.reanchor) {
      if (latest.forged) return { refused: latest.forged };
      const broken = latest.checkpoint && (await firstAnchorBreak(tx, latest.checkpoint));
      if (broken) return { refused: broken };
    }
    const heads = (
      await tx.execute<{ chain: number; seq: string; hash: string }>(
        sql`select chain, seq, hash from audit_heads order by chain`,
      )
    ).map((h): Head => ({ chain: h.chain, seq: Number(h.seq), hash: h.hash }));
    if (!opts.reanchor && latest.checkpoint?.head === headsDigest(heads))
      return { unchanged: latest.checkpoint };
    const [next] = await tx.execute<{ id: string }>(sql`select nextval('audit_checkpoints_id_seq') as id`);
    const c = signCheckpoint(key, Number(next!.id), heads, new Date(nowMs).toISOString());
    await storeCheckpoint(tx, c);
    return { taken: c };
  });
  if ("taken" in outcome) await publishCheckpoint(redis, outcome.taken);
  return outcome;
}

const outcomes = new Counter({
  name: "dce_audit_checkpoints_total",
  help: "Periodic audit checkpoints by outcome: taken, unchanged, refused (the log was tampered with) or failed",
  labelNames: ["outcome"] as const,
  registers: [registry],
});
const refusing = new Gauge({
  name: "dce_audit_checkpoint_refused",
  help: "Whether the last checkpoint was refused: the chains no longer hold the latest one (alert on 1)",
  registers: [registry],
});

/** Takes a checkpoint now and every `intervalMs`; a refusal is logged at error level each time. */
export function startCheckpointer(
  deps: { db: Db; redis: Redis; logger: Logger; now: () => number },
  key: string,
  intervalMs: number,
): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const r = await takeCheckpoint(deps.db, deps.redis, key, deps.now());
      const outcome = "refused" in r ? "refused" : "taken" in r ? "taken" : "unchanged";
      outcomes.inc({ outcome });
      refusing.set(outcome === "refused" ? 1 : 0);
      if ("refused" in r) deps.logger.error({ brokenAt: r.refused }, "audit.checkpoint_refused");
      else if ("taken" in r) deps.logger.debug({ id: r.taken.id, seq: r.taken.seq }, "audit.checkpoint");
    } catch (err) {
      outcomes.inc({ outcome: "failed" });
      deps.logger.warn({ err: (err as Error).message }, "audit.checkpoint_failed");
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
