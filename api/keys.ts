// API keys: shown once at creation, stored only as SHA-256 hashes, found by their public prefix; listed,
// revoked and rotated (the old key keeps working for an overlap window, then expires).
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import { newId } from "../actors/kernel/ids.ts";
import { tokenMatches } from "../actors/platform/app-token.ts";
import type { Db } from "./db/client.ts";
import { type ApiKeyRow, apiKeys } from "./db/schema.ts";
import type { Principal } from "./deps.ts";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export const CONFIG_ADMIN_KEY_ID = "key_config_admin";

export async function createApiKey(
  db: Db,
  role: Principal["role"],
  accountId: string | null,
  expiresAt: string | null = null,
): Promise<{ id: string; key: string; prefix: string; expiresAt: string | null }> {
  const prefix = randomBytes(6).toString("hex");
  const secret = randomBytes(24).toString("base64url");
  const key = `dce_${role}_${prefix}_${secret}`;
  const id = newId("key");
  await db.insert(apiKeys).values({ id, prefix, hash: sha256(key), role, accountId, expiresAt });
  return { id, key, prefix, expiresAt };
}

const KEY_PATTERN = /^dce_(admin|buyer|seller)_([0-9a-f]{12})_[A-Za-z0-9_-]{20,}$/;

export const isConfigAdmin = (adminKey: string, presented: string) => tokenMatches(adminKey, presented);

/** Whether `presented` has the shape of an issued key (only those are looked up in the database). */
export const looksLikeKey = (presented: string) => KEY_PATTERN.test(presented);

/**
 * Resolves a presented key to its principal, or undefined if it is unknown, revoked or expired at `now`.
 * The configured admin key always works.
 */
export async function authenticate(
  db: Db,
  adminKey: string,
  presented: string,
  now = Date.now(),
): Promise<Principal | undefined> {
  if (isConfigAdmin(adminKey, presented))
    return { keyId: CONFIG_ADMIN_KEY_ID, role: "admin", accountId: null };
  const m = KEY_PATTERN.exec(presented);
  if (!m) return undefined;
  const at = new Date(now).toISOString();
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.prefix, m[2]!),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, at)),
      ),
    )
    .limit(1);
  if (!row || !timingSafeEqual(Buffer.from(row.hash, "hex"), Buffer.from(sha256(presented), "hex")))
    return undefined;
  return {
    keyId: row.id,
    role: row.role,
    accountId: row.accountId,
    ...(row.expiresAt ? { expiresAtMs: Date.parse(row.expiresAt) } : {}),
  };
}

/** Notes that a key was resolved afresh (called on cache misses only, so at most every few seconds). */
export async function touchApiKey(db: Db, keyId: string, now: number): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: new Date(now).toISOString() })
    .where(eq(apiKeys.id, keyId));
}

/** What a key looks like to its owner: never the secret or its hash. */
export function keyView(row: ApiKeyRow) {
  return {
    id: row.id,
    prefix: row.prefix,
    role: row.role,
    accountId: row.accountId,
    createdAt: iso(row.createdAt),
    lastUsedAt: iso(row.lastUsedAt),
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
  };
}

const iso = (t: string | null) => (t === null ? null : new Date(t).toISOString());

export async function findApiKey(db: Db, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
  return row;
}

/** Keys of one account (admin keys: `accountId` null), newest first. */
export async function listApiKeys(db: Db, accountId: string | null): Promise<ApiKeyRow[]> {
  return db
    .select()
    .from(apiKeys)
    .where(accountId === null ? isNull(apiKeys.accountId) : eq(apiKeys.accountId, accountId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(1_000);
}

/** Revokes a key now; revoking it again keeps the first instant. */
export async function revokeApiKey(db: Db, id: string, now: number): Promise<ApiKeyRow | undefined> {
  await db
    .update(apiKeys)
    .set({ revokedAt: new Date(now).toISOString() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
  return findApiKey(db, id);
}

/**
 * A new key with the same role, account and expiry; the old one expires `overlapSec` from now (or
 * earlier, if it already expired sooner). One transaction, so a failed rotation leaves both keys as they were.
 */
export async function rotateApiKey(db: Db, old: ApiKeyRow, overlapSec: number, now: number) {
  const until = now + overlapSec * 1000;
  const expiresAt = new Date(
    old.expiresAt ? Math.min(Date.parse(old.expiresAt), until) : until,
  ).toISOString();
  return db.transaction(async (tx) => {
    await tx.update(apiKeys).set({ expiresAt }).where(eq(apiKeys.id, old.id));
    // The new key ends when the old one would have: rotation renews the secret, never the key's term.
    const term = old.expiresAt === null ? null : new Date(Date.parse(old.expiresAt)).toISOString();
    const created = await createApiKey(tx as unknown as Db, old.role, old.accountId, term);
    return { created, oldExpiresAt: expiresAt };
  });
}

export const isActive = (row: ApiKeyRow, now: number) =>
  row.revokedAt === null && (row.expiresAt === null || Date.parse(row.expiresAt) > now);
