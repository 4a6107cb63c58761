// Caller numbers never rest in clear: a keyed hash (HMAC-SHA256) to look them up, and AES-256-GCM
// ciphertext under a per-subject key kept in Redis, wrapped under the current PII encryption key.
// Erasing the subject deletes its key (crypto-shredding), so every copy of the ciphertext, backups
// included, becomes unreadable.
import { randomBytes } from "node:crypto";
import { open, type PiiKeyring, seal } from "./pii-keys.ts";
import type { Redis } from "./redis.ts";

export { open, seal } from "./pii-keys.ts";

export interface ProtectedNumber {
  hash: string; // "ph_" + hex HMAC of the E.164 number
  ciphertext: string; // base64url(iv | tag | ciphertext) under the subject key, which the hash names
}

export function phoneHash(keys: PiiKeyring, e164: string): string {
  return keys.mac("ph_", e164, 40);
}

export const subjectKeyName = (hash: string) => `dce:subject-key:${hash}`;

/**
 * How long a subject key outlives the last number protected under it. A ciphertext is only ever
 * opened to tell an RTB bidder the caller, at the offer or a re-route while the call is live (calls
 * end within hours: routing expiry, maximum call duration), never from a finished call's record; so
 * the key must outlive a live call, not the record, and a caller who never calls again leaves nothing
 * behind. Every protect of the number renews it; an erasure deletes it at once.
 */
export const SUBJECT_KEY_IDLE_MS = 2 * 86_400_000;

async function subjectKey(
  redis: Redis,
  keys: PiiKeyring,
  hash: string,
  create: boolean,
): Promise<Buffer | null> {
  const name = subjectKeyName(hash);
  const stored = create ? await redis.getex(name, "PX", SUBJECT_KEY_IDLE_MS) : await redis.get(name);
  if (stored) return keys.open("subject-key", stored);
  if (!create) return null;
  await redis.set(name, keys.seal("subject-key", randomBytes(32)), "PX", SUBJECT_KEY_IDLE_MS, "NX");
  const winner = await redis.get(subjectKeyName(hash));
  return winner ? keys.open("subject-key", winner) : null;
}

/** `hash`, when the caller has it already, is the number's `phoneHash`; it is not computed twice. */
export async function protectNumber(
  redis: Redis,
  keys: PiiKeyring,
  e164: string,
  hash = phoneHash(keys, e164),
): Promise<ProtectedNumber> {
  const key = await subjectKey(redis, keys, hash, true);
  if (!key) throw new Error("subject key could not be created");
  return { hash, ciphertext: seal(key, Buffer.from(e164, "utf8")) };
}

/** The number in clear, or null once the subject has been erased. */
export async function revealNumber(
  redis: Redis,
  keys: PiiKeyring,
  p: ProtectedNumber,
): Promise<string | null> {
  const key = await subjectKey(redis, keys, p.hash, false);
  return key ? open(key, p.ciphertext).toString("utf8") : null;
}

export async function shredSubject(redis: Redis, hash: string): Promise<boolean> {
  return (await redis.del(subjectKeyName(hash))) > 0;
}

// Replace the wrapped key only if it is still the one read: a shred in between is never undone.
const REPLACE_IF_SAME = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') return 1 end return 0`;

/** Re-wrap every subject key not under the current key id; returns how many were rewritten. */
export async function rewrapSubjectKeys(redis: Redis, keys: PiiKeyring): Promise<number> {
  let rewrapped = 0;
  for await (const batch of redis.scanStream({ match: subjectKeyName("*"), count: 1000 })) {
    for (const name of batch as string[]) {
      const stored = await redis.get(name);
      if (!stored || !keys.stale(stored)) continue;
      const next = keys.seal("subject-key", keys.open("subject-key", stored));
      rewrapped += Number(await redis.eval(REPLACE_IF_SAME, 1, name, stored, next));
    }
  }
  return rewrapped;
}
