// API keys: shown once at creation, stored only as SHA-256 hashes, found by their public prefix.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { newId } from "../actors/kernel/ids.ts";
import type { Db } from "./db/client.ts";
import { apiKeys } from "./db/schema.ts";
import type { Principal } from "./deps.ts";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export async function createApiKey(
  db: Db,
  role: Principal["role"],
  accountId: string | null,
): Promise<{ id: string; key: string; prefix: string }> {
  const prefix = randomBytes(6).toString("hex");
  const secret = randomBytes(24).toString("base64url");
  const key = `dce_${role}_${prefix}_${secret}`;
  const id = newId("key");
  await db.insert(apiKeys).values({ id, prefix, hash: sha256(key), role, accountId });
  return { id, key, prefix };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(sha256(a), "hex");
  const y = Buffer.from(sha256(b), "hex");
  return timingSafeEqual(x, y);
}

const KEY_PATTERN = /^dce_(admin|buyer|seller)_([0-9a-f]{12})_[A-Za-z0-9_-]{20,}$/;

/** Resolves a presented key to its principal, or undefined. The configured admin key always works. */
export async function authenticate(
  db: Db,
  adminKey: string,
  presented: string,
): Promise<Principal | undefined> {
  if (sameSecret(presented, adminKey)) return { keyId: "key_config_admin", role: "admin", accountId: null };
  const m = KEY_PATTERN.exec(presented);
  if (!m) return undefined;
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.prefix, m[2]!), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row || !timingSafeEqual(Buffer.from(row.hash, "hex"), Buffer.from(sha256(presented), "hex")))
    return undefined;
  return { keyId: row.id, role: row.role, accountId: row.accountId };
}
