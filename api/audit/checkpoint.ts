// Signed checkpoints of the audit chain heads, kept outside the chains they anchor: HMAC-signed with a
// key the database never sees, stored in `audit_checkpoints` (insert-only for the app) and in Redis.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Redis } from "../../actors/platform/redis.ts";
import type { Db } from "../db/client.ts";
import type { Tx } from "../ledger/ledger.ts";
import { canonical } from "./chain.ts";

export interface Head {
  chain: number;
  seq: number;
  hash: string;
}

export interface Checkpoint {
  /** The checkpoint's own number: a later checkpoint has a higher one. */
  id: number;
  /** Audit rows anchored: the sum of the chain heads' seqs. */
  seq: number;
  /** sha256 of the canonical list of chain heads. */
  head: string;
  heads: Head[];
  at: string;
  mac: string;
}

/** Where the latest checkpoint's copy lives in Redis (the table holds every checkpoint). */
export const CHECKPOINT_KEY = "audit:checkpoint";
export const MIN_KEY_LENGTH = 32;
type Q = Db | Tx;

/** The checkpoint key from the environment; the API refuses to start without one. */
export function checkpointKeyFrom(env: Record<string, string | undefined>): string {
  const key = env.DCE_AUDIT_CHECKPOINT_KEY ?? "";
  if (key.length < MIN_KEY_LENGTH)
    throw new Error(`DCE_AUDIT_CHECKPOINT_KEY must be set (at least ${MIN_KEY_LENGTH} characters)`);
  return key;
}

/** How often the API takes a checkpoint: DCE_AUDIT_CHECKPOINT_SEC, 60 s by default. */
export function checkpointIntervalMs(env: Record<string, string | undefined>): number {
  const raw = env.DCE_AUDIT_CHECKPOINT_SEC ?? "60";
  const sec = Number(raw);
  if (!Number.isFinite(sec) || sec <= 0)
    throw new Error(`DCE_AUDIT_CHECKPOINT_SEC must be positive, got "${raw}"`);
  return sec * 1000;
}

export const headsDigest = (heads: readonly Head[]) =>
  createHash("sha256")
    .update(canonical(heads.map((h) => [h.chain, h.seq, h.hash])))
    .digest("hex");

const macOf = (key: string, c: Omit<Checkpoint, "mac">) =>
  createHmac("sha256", key)
    .update(canonical([c.id, c.seq, c.head, c.at, c.heads.map((h) => [h.chain, h.seq, h.hash])]))
    .digest("hex");

export function signCheckpoint(key: string, id: number, heads: Head[], at: string): Checkpoint {
  const sorted = [...heads].sort((a, b) => a.chain - b.chain);
  const body = {
    id,
    seq: sorted.reduce((n, h) => n + h.seq, 0),
    head: headsDigest(sorted),
    heads: sorted,
    at,
  };
  return { ...body, mac: macOf(key, body) };
}

/** True when the checkpoint was signed with `key` and its head and seq match its heads. */
export function checkpointSigned(key: string, c: Checkpoint): boolean {
  const expected = Buffer.from(macOf(key, c), "hex");
  const given = Buffer.from(c.mac, "hex");
  return (
    given.length === expected.length &&
    timingSafeEqual(given, expected) &&
    c.head === headsDigest(c.heads) &&
    c.seq === c.heads.reduce((n, h) => n + h.seq, 0)
  );
}

type CheckpointRow = { id: string; seq: string; head: string; heads: Head[]; at: string | Date; mac: string };
const fromRow = (r: CheckpointRow): Checkpoint => ({
  id: Number(r.id),
  seq: Number(r.seq),
  head: r.head,
  heads: r.heads,
  at: new Date(r.at).toISOString(),
  mac: r.mac,
});

/** The latest checkpoint in the table and the copy in Redis (either may be missing). */
export async function readCheckpoints(db: Q, redis: Redis) {
  const [row] = await db.execute<CheckpointRow>(
    sql`select id, seq, head, heads, at, mac from audit_checkpoints order by id desc limit 1`,
  );
  // Redis down: the table's copy still anchors the chains.
  const cached = await redis.get(CHECKPOINT_KEY).catch(() => null);
  return {
    table: row ? fromRow(row) : undefined,
    redis: cached ? (JSON.parse(cached) as Checkpoint) : undefined,
  };
}

/** Keeps the Redis copy at the highest checkpoint id, whatever order the writers' SETs arrive in. */
const SET_IF_NEWER = `
local cur = redis.call('GET', KEYS[1])
if cur and tonumber(cjson.decode(cur).id) >= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1`;

/** Stores a signed checkpoint in the table. */
export async function storeCheckpoint(db: Q, c: Checkpoint): Promise<void> {
  await db.execute(sql`insert into audit_checkpoints (id, seq, head, heads, at, mac)
    values (${c.id}, ${c.seq}, ${c.head}, ${JSON.stringify(c.heads)}::jsonb, ${c.at}, ${c.mac})`);
}

/** Copies a committed checkpoint to Redis. */
export async function publishCheckpoint(redis: Redis, c: Checkpoint): Promise<void> {
  await redis.eval(SET_IF_NEWER, 1, CHECKPOINT_KEY, JSON.stringify(c), String(c.id));
}

/**
 * Where the chains no longer hold what `c` anchored: a chain whose head is now behind the anchored seq
 * or whose row there is gone ("checkpoint_ahead": the chain is shorter than the checkpoint), or whose
 * row there has another hash ("checkpoint_mismatch": rewritten). One statement, one snapshot.
 */
export async function firstAnchorBreak(db: Q, c: Checkpoint) {
  if (c.heads.length === 0) return undefined;
  const found = await db.execute<{ chain: number; seq: string; problem: string }>(sql`
    select a.chain, a.seq,
      case when l.hash is null or coalesce(h.seq, 0) < a.seq then 'checkpoint_ahead' else 'checkpoint_mismatch' end
        as problem
    from jsonb_to_recordset(${JSON.stringify(c.heads)}::jsonb) as a(chain int, seq bigint, hash text)
    left join audit_log l on l.chain = a.chain and l.seq = a.seq
    left join audit_heads h on h.chain = a.chain
    where a.seq > 0 and (l.hash is null or l.hash <> a.hash or coalesce(h.seq, 0) < a.seq)
    order by a.chain limit 1`);
  const row = found[0];
  if (!row) return undefined;
  return {
    chain: row.chain,
    seq: Number(row.seq),
    eventId: "",
    problem: row.problem as "checkpoint_ahead" | "checkpoint_mismatch",
  };
}
