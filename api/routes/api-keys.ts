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
import { READ, tagged, WRITE } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import { CreateApiKey, ListApiKeys, RotateApiKey } from "../schemas/accounts.ts";
import * as R from "../schemas/responses.ts";
import { body, query } from "../validate.ts";

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
  const doc = tagged("accounts");

  const createKeyDoc = doc({
    summary: "Create an API key (shown once)",
    access: "admin",
    body: CreateApiKey,
    status: 201,
    response: R.CreatedApiKey,
    errors: [...WRITE, "not_found"],
  });
  app.post("/api-keys", createKeyDoc, async (c) => {
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

  const listKeysDoc = doc({
    summary: "List an account's API keys, never their secrets (partners: their own; admins: any)",
    access: "any",
    query: ListApiKeys,
    status: 200,
    response: R.ApiKeys,
    errors: [...READ, "validation_failed"],
  });
  app.get("/api-keys", listKeysDoc, async (c) => {
    const principal = c.get("principal");
    const q = query(c, ListApiKeys);
    const accountId =
      principal.role === "admin" ? (q.accountId ?? null) : (q.accountId ?? principal.accountId!);
    if (accountId !== null) assertAccount(principal, accountId);
    const rows = await listApiKeys(deps.db, accountId);
    return c.json({ items: rows.map(keyView) });
  });

  const revokeKeyDoc = doc({
    summary: "Revoke an API key at once, on every API replica; its live sessions are closed",
    access: "any",
    status: 200,
    response: R.ApiKey,
    errors: READ,
  });
  app.post("/api-keys/:keyId/revoke", revokeKeyDoc, async (c) => {
    const row = await ownedKey(deps, c.get("principal"), c.req.param("keyId"));
    const revoked = (await revokeApiKey(deps.db, row.id, deps.now())) ?? row;
    await deps.keyEvents?.publish({ type: "revoked", keyId: row.id });
    c.get("logger").info({ keyId: row.id, by: c.get("principal").keyId }, "api.key_revoked");
    return c.json(keyView(revoked));
  });

  const rotateKeyDoc = doc({
    summary: "Rotate an API key: a new key (shown once); the old one expires after overlapSec",
    access: "any",
    body: RotateApiKey,
    status: 201,
    response: R.RotatedApiKey,
    errors: [...WRITE, "not_found", "key_inactive"],
  });
  app.post("/api-keys/:keyId/rotate", rotateKeyDoc, async (c) => {
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
