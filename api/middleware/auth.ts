// Bearer API key authentication; resolved principals are cached briefly to keep the hot path cheap.
import type { MiddlewareHandler } from "hono";
import type { ApiDeps, Principal } from "../deps.ts";
import { authenticate } from "../keys.ts";
import { ApiError } from "../problem.ts";

export function apiKeyAuth(deps: ApiDeps, { cacheMs = 30_000 } = {}): MiddlewareHandler {
  const cache = new Map<string, { principal: Principal; until: number }>();
  return async function apiKeyAuth(c, next) {
    const header = c.req.header("authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new ApiError(401, "unauthorized");
    const presented = m[1]!;
    const now = deps.now();
    let hit = cache.get(presented);
    if (!hit || hit.until < now) {
      const principal = await authenticate(deps.db, deps.config.adminApiKey, presented);
      if (!principal) throw new ApiError(401, "unauthorized", "the API key is unknown or revoked");
      hit = { principal, until: now + cacheMs };
      if (cache.size > 10_000) cache.clear();
      cache.set(presented, hit);
    }
    c.set("principal", hit.principal);
    await next();
  };
}

/** Admins act on any account; a buyer or seller key only on its own account. */
export function assertAccount(principal: Principal, accountId: string, role?: "buyer" | "seller"): void {
  if (principal.role === "admin") return;
  if (principal.accountId !== accountId || (role && principal.role !== role)) {
    throw new ApiError(403, "forbidden", `this key may not act on ${accountId}`);
  }
}

export function assertAdmin(principal: Principal): void {
  if (principal.role !== "admin") throw new ApiError(403, "forbidden", "an admin key is required");
}
