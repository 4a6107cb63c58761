// Failed authentications counted per client address in Redis (shared by every API replica), checked
// before a presented key is looked up, so guessing keys costs the guesser a 429, not the database a query.
// The address is the socket's peer; X-Forwarded-For is believed only for the configured proxy hops.
import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import type { ApiDeps } from "../deps.ts";
import { ApiError } from "../problem.ts";

const PREFIX = "dce:authfail:";

// KEYS[1] counter; ARGV[1] window (ms). The window starts at the first failure.
const NOTE = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`;

/** The client's address: the TCP peer, or the entry `hops` from the right of X-Forwarded-For. */
export function clientAddress(c: Context, hops: number): string {
  const peer = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress;
  if (hops > 0) {
    const chain = (c.req.header("x-forwarded-for") ?? "").split(",").map((s) => s.trim());
    const forwarded = chain[chain.length - hops];
    if (forwarded) return forwarded;
  }
  return peer ?? "unknown";
}

/** Throws 429 when `address` has used up its failures; Redis trouble lets the request through. */
export async function assertNotLockedOut(deps: ApiDeps, address: string): Promise<void> {
  const { max } = deps.config.authFailures;
  if (max === 0) return;
  let count: string | null;
  let ttlMs: number;
  try {
    [count, ttlMs] = await Promise.all([deps.redis.get(PREFIX + address), deps.redis.pttl(PREFIX + address)]);
  } catch (err) {
    deps.logger.warn({ err }, "api.auth_failures_unavailable");
    return;
  }
  if (Number(count ?? 0) < max) return;
  const retryAfterSec = Math.max(1, Math.ceil(ttlMs / 1000));
  throw new ApiError(
    429,
    "auth_failures_limited",
    `too many failed authentications from this address; retry in ${retryAfterSec} s`,
    { retryAfterSec },
  );
}

/** Counts one failed authentication from `address`. */
export async function noteAuthFailure(deps: ApiDeps, address: string): Promise<void> {
  const { max, windowSec } = deps.config.authFailures;
  if (max === 0) return;
  try {
    await deps.redis.eval(NOTE, 1, PREFIX + address, Math.max(1, windowSec) * 1000);
  } catch (err) {
    deps.logger.warn({ err }, "api.auth_failures_unavailable");
  }
}
