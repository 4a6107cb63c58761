// Caller numbers never rest in clear: a keyed hash (HMAC-SHA256) to look them up, and AES-256-GCM
// ciphertext under a per-subject key kept in Redis. Erasing the subject deletes its key
// (crypto-shredding), so every copy of the ciphertext, backups included, becomes unreadable.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import type { Redis } from "./redis.ts";

export interface ProtectedNumber {
  hash: string; // "ph_" + hex HMAC of the E.164 number
  ciphertext: string; // base64url(iv | tag | ciphertext) under the subject key
}

export function phoneHash(piiKey: Buffer, e164: string): string {
  return `ph_${createHmac("sha256", piiKey).update(e164).digest("hex").slice(0, 40)}`;
}

const subjectKeyName = (hash: string) => `dce:subject-key:${hash}`;

// The subject key is stored wrapped under the process PII key, so Redis alone cannot decrypt.
function wrap(piiKey: Buffer, key: Buffer): string {
  return seal(piiKey, key);
}

async function subjectKey(
  redis: Redis,
  piiKey: Buffer,
  hash: string,
  create: boolean,
): Promise<Buffer | null> {
  const stored = await redis.get(subjectKeyName(hash));
  if (stored) return open(piiKey, stored);
  if (!create) return null;
  await redis.set(subjectKeyName(hash), wrap(piiKey, randomBytes(32)), "NX");
  const winner = await redis.get(subjectKeyName(hash));
  return winner ? open(piiKey, winner) : null;
}

export async function protectNumber(redis: Redis, piiKey: Buffer, e164: string): Promise<ProtectedNumber> {
  const hash = phoneHash(piiKey, e164);
  const key = await subjectKey(redis, piiKey, hash, true);
  if (!key) throw new Error("subject key could not be created");
  return { hash, ciphertext: seal(key, Buffer.from(e164, "utf8")) };
}

/** The number in clear, or null once the subject has been erased. */
export async function revealNumber(redis: Redis, piiKey: Buffer, p: ProtectedNumber): Promise<string | null> {
  const key = await subjectKey(redis, piiKey, p.hash, false);
  return key ? open(key, p.ciphertext).toString("utf8") : null;
}

export async function shredSubject(redis: Redis, hash: string): Promise<boolean> {
  return (await redis.del(subjectKeyName(hash))) > 0;
}

/** AES-256-GCM with a fresh IV: `base64url(iv ‖ tag ‖ ciphertext)`. */
export function seal(key: Buffer, plain: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

export function open(key: Buffer, sealed: string): Buffer {
  const raw = Buffer.from(sealed, "base64url");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
}
