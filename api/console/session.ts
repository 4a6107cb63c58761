// Console sessions: an API key exchanged for an opaque cookie token. Redis holds the session under the
// token's hash with an expiry; the key itself is sealed with a key derived from the token, so neither a
// Redis dump nor the cookie alone yields it, and it is never rendered back to the browser.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { deriveKey, open, seal } from "../../actors/platform/pii-keys.ts";
import type { Redis } from "../../actors/platform/redis.ts";
import type { Principal } from "../deps.ts";

export const SESSION_COOKIE = "dce_console";
export const PRE_SESSION_COOKIE = "dce_console_signin";
/** A session lives 8 hours at most (a working day), and never past its key's own expiry. */
export const SESSION_TTL_SEC = 8 * 3600;
const PREFIX = "dce:console:session:";
const LABEL = "dce console session key";

export interface Session {
  keyId: string;
  role: Principal["role"];
  accountId: string | null;
  csrf: string;
  expiresAtMs: number;
}

interface Stored extends Session {
  sealedKey: string;
}

export const newToken = () => randomBytes(32).toString("base64url");
const redisKey = (token: string) => PREFIX + createHash("sha256").update(token).digest("hex");
const cipherKey = (token: string) => deriveKey(Buffer.from(token, "utf8"), LABEL);

/** Stores a new session for `principal`; returns its cookie token and lifetime in seconds. */
export async function createSession(redis: Redis, principal: Principal, apiKey: string, now: number) {
  const token = newToken();
  const expiresAtMs = Math.min(
    now + SESSION_TTL_SEC * 1000,
    principal.expiresAtMs ?? Number.POSITIVE_INFINITY,
  );
  const ttlSec = Math.max(1, Math.floor((expiresAtMs - now) / 1000));
  const stored: Stored = {
    keyId: principal.keyId,
    role: principal.role,
    accountId: principal.accountId,
    csrf: newToken(),
    expiresAtMs,
    sealedKey: seal(cipherKey(token), Buffer.from(apiKey, "utf8")),
  };
  await redis.set(redisKey(token), JSON.stringify(stored), "EX", ttlSec);
  return { token, ttlSec };
}

/** The session and its API key, or null when the token is unknown, expired or tampered with. */
export async function loadSession(
  redis: Redis,
  token: string | undefined,
  now: number,
): Promise<{ session: Session; apiKey: string } | null> {
  if (!token || token.length > 100) return null;
  const text = await redis.get(redisKey(token));
  if (!text) return null;
  const { sealedKey, ...session } = JSON.parse(text) as Stored;
  if (session.expiresAtMs <= now) return null;
  try {
    return { session, apiKey: open(cipherKey(token), sealedKey).toString("utf8") };
  } catch {
    return null;
  }
}

export async function destroySession(redis: Redis, token: string | undefined): Promise<void> {
  if (token) await redis.del(redisKey(token));
}

/** Constant-time comparison of a submitted CSRF token with the expected one. */
export function sameToken(expected: string, submitted: unknown): boolean {
  if (typeof submitted !== "string" || submitted.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(submitted));
}
