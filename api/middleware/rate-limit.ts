// Per-API-key rate limits, GCRA in one atomic Redis script on Redis's own clock, so every API process
// shares one budget per key. 429 problems carry Retry-After; every answer carries RateLimit-* headers.
// If Redis does not answer, requests pass (the limiter must not take the API down) and it is logged.
import type { MiddlewareHandler } from "hono";
import type { RateLimit } from "../../actors/platform/config.ts";
import { LuaScript } from "../../actors/platform/lua-script.ts";
import type { ApiDeps } from "../deps.ts";
import { ApiError } from "../problem.ts";

// KEYS[1] bucket; ARGV: emission interval (ms), burst tolerance (ms). Returns {allowed, tat - now, wait}.
const GCRA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local next_tat = tat + interval
if next_tat - tolerance > now then
  return {0, tostring(tat - now), tostring(next_tat - tolerance - now)}
end
redis.call('SET', KEYS[1], tostring(next_tat), 'PX', math.ceil(next_tat - now) + 1000)
return {1, tostring(next_tat - now), '0'}
`;

/** By its SHA (EVALSHA), sent whole only when Redis lacks it. */
const GCRA_SCRIPT = new LuaScript(GCRA);

export interface Decision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the budget is full again. */
  resetSec: number;
  /** Seconds to wait before retrying (0 when allowed). */
  retryAfterSec: number;
}

/** Takes one request from `bucket`'s budget. */
export async function take(redis: ApiDeps["redis"], bucket: string, limit: RateLimit): Promise<Decision> {
  const interval = 1000 / limit.perSec;
  const tolerance = interval * limit.burst;
  const [ok, ahead, wait] = await GCRA_SCRIPT.run<[number, string, string]>(
    redis,
    [bucket],
    [interval, tolerance],
  );
  const aheadMs = Number(ahead);
  return {
    allowed: ok === 1,
    limit: limit.burst,
    remaining: Math.max(0, Math.floor((tolerance - aheadMs) / interval)),
    resetSec: Math.ceil(aheadMs / 1000),
    retryAfterSec: Math.max(1, Math.ceil(Number(wait) / 1000)) * (ok === 1 ? 0 : 1),
  };
}

/** POST /v1/calls has its own (higher) budget; every other /v1 route shares the default one. */
export const bucketOf = (method: string, path: string) =>
  method === "POST" && path.replace(/\/$/, "") === "/v1/calls" ? "offers" : "default";

export function rateLimit(deps: ApiDeps, { prefix = "dce:rl" } = {}): MiddlewareHandler {
  return async function rateLimit(c, next) {
    const bucket = bucketOf(c.req.method, c.req.path);
    const limit = deps.config.rateLimits[bucket];
    if (limit.perSec === 0 || limit.burst === 0) return next();
    let d: Decision;
    try {
      d = await take(deps.redis, `${prefix}:${bucket}:${c.get("principal").keyId}`, limit);
    } catch (err) {
      c.get("logger")?.warn({ err }, "api.rate_limit_unavailable");
      return next();
    }
    c.header("ratelimit-limit", String(d.limit));
    c.header("ratelimit-remaining", String(d.remaining));
    c.header("ratelimit-reset", String(d.resetSec));
    c.header("ratelimit-policy", `${limit.burst};w=${Math.ceil(limit.burst / limit.perSec)}`);
    if (!d.allowed) {
      c.header("retry-after", String(d.retryAfterSec));
      throw new ApiError(
        429,
        "rate_limited",
        `rate limit for this key reached; retry in ${d.retryAfterSec} s`,
        {
          retryAfterSec: d.retryAfterSec,
        },
      );
    }
    await next();
  };
}
