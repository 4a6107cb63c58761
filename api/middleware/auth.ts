// Bearer API key authentication. Resolved principals are cached to keep the hot path cheap, but only
// while the replica hears key events (revocations drop entries on every replica at once), and never
// past a key's expiry. Failed attempts are limited per client address before any database lookup.
import type { Context, MiddlewareHandler } from "hono";
import type { ApiDeps, Principal } from "../deps.ts";
import { authenticate, CONFIG_ADMIN_KEY_ID, isConfigAdmin, touchApiKey } from "../keys.ts";
import { ApiError } from "../problem.ts";
import { assertNotLockedOut, clientAddress, noteAuthFailure } from "./auth-failures.ts";

export class KeyResolver {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly deps: ApiDeps,
    private readonly cacheMs = 30_000,
  ) {
    deps.keyEvents?.on((e) => {
      if (e.type === "reset") this.cache.clear();
      else this.dropKey(e.keyId);
    });
  }

  /** The principal of `presented`, or a 401 (429 once this address has failed too often). */
  async resolve(c: Context, presented: string | undefined): Promise<Principal> {
    const { deps } = this;
    const now = deps.now();
    const hit = presented ? this.cache.get(presented) : undefined;
    if (hit && hit.until > now && deps.keyEvents?.listening) return hit.principal;
    if (presented && isConfigAdmin(deps.config.adminApiKey, presented))
      return { keyId: CONFIG_ADMIN_KEY_ID, role: "admin", accountId: null };
    const address = clientAddress(c, deps.config.trustedProxyHops);
    try {
      await assertNotLockedOut(deps, address);
    } catch (err) {
      if (err instanceof ApiError) c.header("retry-after", String(err.extra.retryAfterSec));
      throw err;
    }
    const principal = presented
      ? await authenticate(deps.db, deps.config.adminApiKey, presented, now)
      : undefined;
    if (!principal) {
      await noteAuthFailure(deps, address);
      throw new ApiError(401, "unauthorized", "the API key is missing, unknown, revoked or expired");
    }
    touchApiKey(deps.db, principal.keyId, now).catch((err: unknown) =>
      deps.logger.warn({ err }, "api.key_touch_failed"),
    );
    if (deps.keyEvents?.listening) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(presented!, {
        principal,
        until: Math.min(now + this.cacheMs, principal.expiresAtMs ?? Number.POSITIVE_INFINITY),
      });
    }
    return principal;
  }

  private dropKey(keyId: string) {
    for (const [presented, entry] of this.cache)
      if (entry.principal.keyId === keyId) this.cache.delete(presented);
  }
}

export const bearer = (header: string | undefined) => /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];

export function apiKeyAuth(keys: KeyResolver): MiddlewareHandler {
  return async function apiKeyAuth(c, next) {
    c.set("principal", await keys.resolve(c, bearer(c.req.header("authorization"))));
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
