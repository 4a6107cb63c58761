// Do-Not-Call lists: streaming import of national and state files into a fresh generation of sharded
// Redis sets (bounded memory, pipelined writes, then one atomic switch), and internal suppression
// entries (exchange-wide or per buyer). Only keyed hashes are stored; list metadata goes to Postgres.

import type { Readable } from "node:stream";
import { and, desc, eq, inArray } from "drizzle-orm";
import { dncLineDigits, dncSlot, shardBitsFor, staleWarning } from "../../actors/compliance/dnc-slots.ts";
import { newId } from "../../actors/kernel/ids.ts";
import { DNC_ACTIVE, dncShardKey, suppressionKey } from "../../actors/platform/compliance-store.ts";
import { phoneHash } from "../../actors/platform/pii.ts";
import type { PiiKeyring } from "../../actors/platform/pii-keys.ts";
import type { Redis } from "../../actors/platform/redis.ts";
import type { Db } from "../db/client.ts";
import { dncImports, dncLists, suppressions } from "../db/compliance-schema.ts";

export interface ImportMeta {
  listId: string;
  name: string;
  source: "national" | "state" | "internal";
  state?: string;
  publishedAt?: string;
  /** About how many numbers the file holds (sizes the shards); from Content-Length or the file size. */
  expected: number;
}

export interface ImportResult {
  importId: string;
  listId: string;
  generation: number;
  shardBits: number;
  lines: number;
  imported: number;
  invalid: number;
  durationMs: number;
  numbersPerSec: number;
  warning?: string;
}

/** Numbers hashed before one pipelined write: large enough that each SADD carries several members. */
const BATCH = 500_000;

/** Lines of a stream, pulled chunk by chunk (so a slow consumer holds the reader back: bounded memory). */
async function* readLines(input: Readable): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of input) {
    const text = rest + (typeof chunk === "string" ? chunk : (chunk as Buffer).toString("latin1"));
    const parts = text.split("\n");
    rest = parts.pop() ?? "";
    for (const p of parts) yield p.endsWith("\r") ? p.slice(0, -1) : p;
  }
  if (rest !== "") yield rest;
}

/** Imports a DNC file as a new generation of `listId`, switches lookups to it, then drops the old one. */
export async function importDncFile(
  deps: { redis: Redis; db: Db; pii: PiiKeyring; now: () => number },
  input: Readable,
  meta: ImportMeta,
): Promise<ImportResult> {
  const { redis, db, pii } = deps;
  const started = deps.now();
  const lock = `dce:dnc:lock:${meta.listId}`;
  if ((await redis.set(lock, "1", "EX", 3600, "NX")) !== "OK") {
    throw new Error(`an import of list ${meta.listId} is already running`);
  }
  try {
    const [prior] = await db.select().from(dncLists).where(eq(dncLists.id, meta.listId));
    const generation = (prior?.generation ?? 0) + 1;
    const bits = shardBitsFor(meta.expected);
    let lines = 0;
    let invalid = 0;
    let imported = 0;
    let batch = new Map<number, string[]>();
    let pending = 0;
    const flush = async () => {
      if (pending === 0) return;
      const p = redis.pipeline();
      for (const [shard, members] of batch) p.sadd(dncShardKey(meta.listId, generation, shard), ...members);
      const replies = (await p.exec()) ?? [];
      for (const [err, added] of replies) {
        if (err) throw err;
        imported += Number(added);
      }
      batch = new Map();
      pending = 0;
    };
    try {
      for await (const line of readLines(input)) {
        lines++;
        const digits = dncLineDigits(line);
        if (!digits) {
          if (line.trim() !== "") invalid++;
          continue;
        }
        const { shard, member } = dncSlot(phoneHash(pii, `+1${digits}`), bits);
        const list = batch.get(shard);
        if (list) list.push(member);
        else batch.set(shard, [member]);
        if (++pending >= BATCH) await flush();
      }
      await flush();
    } catch (err) {
      // The new generation never became active: drop what was written of it, keep the old one.
      await dropGeneration(redis, meta.listId, generation, bits).catch(() => undefined);
      throw err;
    }
    const finished = deps.now();
    const warning = staleWarning(meta.listId, meta.publishedAt ?? null, finished);
    const at = new Date(finished).toISOString();
    const row = {
      id: meta.listId,
      name: meta.name,
      source: meta.source,
      state: meta.state ?? null,
      publishedAt: meta.publishedAt ?? null,
      count: imported,
      generation,
      shardBits: bits,
      importedAt: at,
    };
    await db.insert(dncLists).values(row).onConflictDoUpdate({ target: dncLists.id, set: row });
    await redis.hset(DNC_ACTIVE, meta.listId, `${generation}:${bits}`);
    const importId = newId("dnci");
    await db.insert(dncImports).values({
      id: importId,
      listId: meta.listId,
      generation,
      lines,
      imported,
      invalid,
      publishedAt: meta.publishedAt ?? null,
      durationMs: finished - started,
      warning: warning ?? null,
      finishedAt: at,
    });
    if (prior) await dropGeneration(redis, meta.listId, prior.generation, prior.shardBits);
    const durationMs = Math.max(1, finished - started);
    return {
      importId,
      listId: meta.listId,
      generation,
      shardBits: bits,
      lines,
      imported,
      invalid,
      durationMs,
      numbersPerSec: Math.round((imported / durationMs) * 1000),
      ...(warning ? { warning } : {}),
    };
  } finally {
    await redis.del(lock);
  }
}

async function dropGeneration(redis: Redis, listId: string, generation: number, bits: number) {
  const shards = 2 ** bits;
  for (let from = 0; from < shards; from += 1000) {
    const keys = [];
    for (let s = from; s < Math.min(shards, from + 1000); s++) keys.push(dncShardKey(listId, generation, s));
    await redis.unlink(...keys);
  }
}

/** Removes a list: lookups stop at once, its shards are dropped. */
export async function deleteDncList(redis: Redis, db: Db, listId: string): Promise<boolean> {
  const [prior] = await db.select().from(dncLists).where(eq(dncLists.id, listId));
  if (!prior) return false;
  await redis.hdel(DNC_ACTIVE, listId);
  await db.delete(dncLists).where(eq(dncLists.id, listId));
  await dropGeneration(redis, listId, prior.generation, prior.shardBits);
  return true;
}

/**
 * The newest file imports, newest first, with their per-file counts: `lines` read, `imported` distinct
 * numbers added to the list, `invalid` lines refused (blank lines and repeats are neither).
 */
export function listDncImports(db: Db, limit: number, listId?: string) {
  return db
    .select()
    .from(dncImports)
    .where(listId ? eq(dncImports.listId, listId) : undefined)
    .orderBy(desc(dncImports.finishedAt))
    .limit(limit);
}

export async function listDncLists(db: Db, nowMs: number) {
  const rows = await db.select().from(dncLists).orderBy(desc(dncLists.importedAt));
  return rows.map((r) => {
    const warning = staleWarning(r.id, r.publishedAt, nowMs);
    return { ...r, ...(warning ? { warning } : {}) };
  });
}

/** Adds internal suppression entries for one scope ("exchange" or a buyer id). */
export async function addSuppressions(
  redis: Redis,
  db: Db,
  scope: string,
  hashes: string[],
  reason: string | undefined,
): Promise<number> {
  if (hashes.length === 0) return 0;
  await db
    .insert(suppressions)
    .values(hashes.map((callerHash) => ({ callerHash, scope, reason: reason ?? null })))
    .onConflictDoNothing();
  const p = redis.pipeline();
  for (const h of hashes) p.sadd(suppressionKey(h), scope);
  await p.exec();
  return hashes.length;
}

export async function removeSuppressions(redis: Redis, db: Db, scope: string, hashes: string[]) {
  if (hashes.length === 0) return;
  await db
    .delete(suppressions)
    .where(and(eq(suppressions.scope, scope), inArray(suppressions.callerHash, hashes)));
  const p = redis.pipeline();
  for (const h of hashes) p.srem(suppressionKey(h), scope);
  await p.exec();
}
