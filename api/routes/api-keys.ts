// API keys: create (admin), and list, revoke and rotate, which a buyer or seller may also do for its own
// account's keys (self-service rotation). A partner never sees or touches another account's keys, nor
// admin keys, and a rotated key keeps its role: no route lets a key gain a role it did not have.
import { Hono } from "hono";
import type { ApiKeyRow } from "../db/schema.ts";
import type { ApiDeps, Principal } from "../deps.ts";
import {
  createApiKey,
  findApiKey,
  isActive,
  keyView,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
} from "../keys.ts";
import { assertAccount, assertAdmin } from "../middleware/auth.ts";
import { ApiError } from "../problem.ts";
import { CreateApiKey, ListApiKeys, RotateApiKey } from "../schemas/accounts.ts";
import { body, check } from "../validate.ts";

/** The key `id` if this principal may manage it; another account's key is simply not found. */
async function ownedKey(deps: ApiDeps, principal: Principal, id: string): Promise<ApiKeyRow> {
  const row = await findApiKey(deps.db, id);
  const mine =
    row && (principal.role === "admin" || (row.role !== "admin" && row.accountId === principal.accountId));
  if (!row || !mine) throw new ApiError(404, "not_found", `no API key ${id}`);
  return row;
}

export function apiKeyRoutes(deps: ApiDeps) {
  const app = new Hono();

  app.post("/api-keys", async (c) => {
    assertAdmin(c.get("principal"));
    const input = await body(c, CreateApiKey);
    const accountId = input.accountId ?? null;
    if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= deps.now())
      throw new ApiError(400, "validation_failed", "expiresAt must be in the future");
    if (input.role !== "admin") {
      const expected = input.role === "buyer" ? "byr_" : "sel_";
      if (!accountId?.startsWith(expected)) {
        throw new ApiError(
          400,
          "validation_failed",
          `a ${input.role} key needs the accountId of a ${input.role}`,
        );
      }
      const found = await deps.db.query.accounts.findFirst({ where: (a, { eq }) => eq(a.id, accountId) });
      if (!found) throw new ApiError(404, "not_found", `no account ${accountId}`);
    } else if (accountId) {
      throw new ApiError(400, "validation_failed", "an admin key belongs to no account");
    }
    const expiresAt = input.expiresAt ? new Date(input.expiresAt).toISOString() : null;
    const created = await createApiKey(deps.db, input.role, accountId, expiresAt);
    return c.json({ ...created, role: input.role, accountId }, 201);
  });

  app.get("/api-keys", async (c) => {
    const principal = c.get("principal");
    const q = check(ListApiKeys, c.req.query());
    const accountId =
      principal.role === "admin" ? (q.accountId ?? null) : (q.accountId ?? principal.accountId!);
    if (accountId !== null) assertAccount(principal, accountId);
    const rows = await listApiKeys(deps.db, accountId);
    return c.json({ items: rows.map(keyView) });
  });

  app.post("/api-keys/:keyId/revoke", async (c) => {
    const row = await ownedKey(deps, c.get("principal"), c.req.param("keyId"));
    const revoked = (await revokeApiKey(deps.db, row.id, deps.now())) ?? row;
    await deps.keyEvents?.publish({ type: "revoked", keyId: row.id });
    c.get("logger").info({ keyId: row.id, by: c.get("principal").keyId }, "api.key_revoked");
    return c.json(keyView(revoked));
  });

  app.post("/api-keys/:keyId/rotate", async (c) => {
    const principal = c.get("principal");
    const row = await ownedKey(deps, principal, c.req.param("keyId"));
    const input = await body(c, RotateApiKey);
    const now = deps.now();
    if (!isActive(row, now)) throw new ApiError(409, "key_inactive", `${row.id} is revoked or expired`);
    const { created, oldExpiresAt } = await rotateApiKey(deps.db, row, input.overlapSec, now);
    const expiresAtMs = Date.parse(oldExpiresAt);
    await deps.keyEvents?.publish({ type: "expires", keyId: row.id, expiresAtMs });
    c.get("logger").info({ keyId: row.id, newKeyId: created.id, by: principal.keyId }, "api.key_rotated");
    return c.json(
      {
        id: created.id,
        key: created.key,
        prefix: created.prefix,
        role: row.role,
        accountId: row.accountId,
        expiresAt: created.expiresAt,
        replaces: { id: row.id, expiresAt: oldExpiresAt },
      },
      201,
    );
  });

  return app;
}
