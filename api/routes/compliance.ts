// Compliance: Do-Not-Call entries and file imports, the blocklist, consent records, the rule data in
// force, and data-subject export and erasure. Numbers arrive in clear and are hashed at once.
import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AREA_CODES_VERSION } from "../../actors/compliance/called-party.ts";
import { CALLING_HOURS_RULES, CALLING_HOURS_VERSION } from "../../actors/compliance/calling-hours.ts";
import { domainEvent } from "../../actors/kernel/events.ts";
import { newId } from "../../actors/kernel/ids.ts";
import { checkNanpNumber } from "../../actors/kernel/phone.ts";
import { BLOCKLIST } from "../../actors/platform/compliance-store.ts";
import { phoneHash, protectNumber } from "../../actors/platform/pii.ts";
import { recordApiEvent } from "../audit/audit-log.ts";
import {
  addSuppressions,
  deleteDncList,
  importDncFile,
  listDncImports,
  listDncLists,
  removeSuppressions,
} from "../compliance/dnc.ts";
import { eraseSubject, exportSubject } from "../compliance/subjects.ts";
import { consents } from "../db/compliance-schema.ts";
import type { ApiDeps, Principal } from "../deps.ts";
import { apiKeyAuth, assertAccount, assertAdmin, type KeyResolver } from "../middleware/auth.ts";
import { AUTH, READ, tagged, WRITE } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import {
  BlocklistEntries,
  CreateConsent,
  DataSubject,
  DncImportPage,
  DncImportQuery,
  DncImportsQuery,
  SuppressionEntries,
} from "../schemas/compliance.ts";
import * as R from "../schemas/responses.ts";
import { body, query } from "../validate.ts";

/** DNC files can hold hundreds of millions of lines: the import route streams up to this many bytes. */
export const MAX_DNC_IMPORT_BYTES = 4 * 1024 ** 3;

function hashesOf(deps: ApiDeps, numbers: string[]): string[] {
  return numbers.map((raw, i) => {
    const p = checkNanpNumber(raw);
    if (!p.ok) throw new ApiError(400, "validation_failed", `numbers[${i}]: ${p.detail}`);
    return phoneHash(deps.config.pii, p.e164);
  });
}

function pathNumber(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ApiError(400, "validation_failed", "phone: not a percent-encoded number");
  }
}

function subjectNumber(raw: string): string {
  const p = checkNanpNumber(raw);
  if (!p.ok) throw new ApiError(400, "validation_failed", `phoneNumber: ${p.detail}`);
  return p.e164;
}

const event = (type: string, id: string, now: number, data: Record<string, unknown>) =>
  domainEvent(type, { type: "compliance", id }, newId("c"), now, data);

/** Whose list: a buyer writes only its own; an admin any buyer's or the exchange's (the default). */
export function scopeFor(principal: Principal, scope: string | undefined): string {
  if (principal.role === "buyer") {
    const own = principal.accountId ?? "";
    if (scope !== undefined && scope !== own)
      throw new ApiError(403, "forbidden", "a buyer manages only its own list");
    return own;
  }
  assertAdmin(principal);
  return scope ?? "exchange";
}

/** The bulk import, mounted before /v1's 64 KB body limit with its own auth and a streaming limit. */
export function dncImportRoutes(deps: ApiDeps, keys: KeyResolver) {
  const app = new Hono();
  const doc = tagged("compliance");
  app.use("/compliance/dnc/imports", apiKeyAuth(keys));
  const dncImportDoc = doc({
    summary: "Import a Do-Not-Call file (one number per line, streamed)",
    access: "admin",
    query: DncImportQuery,
    status: 201,
    response: R.Loose,
    raw: "text/plain",
    errors: [...WRITE],
  });
  app.post(
    "/compliance/dnc/imports",
    dncImportDoc,
    bodyLimit({
      maxSize: MAX_DNC_IMPORT_BYTES,
      onError: () => {
        throw new ApiError(
          413,
          "payload_too_large",
          `DNC files are limited to ${MAX_DNC_IMPORT_BYTES} bytes`,
        );
      },
    }),
    async (c) => {
      assertAdmin(c.get("principal"));
      const q = query(c, DncImportQuery);
      const type = c.req.header("content-type") ?? "";
      if (!/^text\/(plain|csv)\b/.test(type)) {
        throw new ApiError(
          400,
          "validation_failed",
          "the body must be text/plain or text/csv, one number a line",
        );
      }
      const stream = c.req.raw.body;
      if (!stream) throw new ApiError(400, "validation_failed", "the body is empty");
      const bytes = Number(c.req.header("content-length") ?? 0);
      const result = await importDncFile(
        { ...deps, pii: deps.config.pii },
        Readable.fromWeb(stream as never),
        {
          listId: q.listId,
          name: q.name ?? q.listId,
          source: q.source,
          state: q.state,
          publishedAt: q.publishedAt,
          expected: bytes > 0 ? Math.ceil(bytes / 11) : 1_000_000,
        },
      ).catch((err: Error) => {
        if (err.message.includes("already running")) throw new ApiError(409, "forbidden", err.message);
        throw err;
      });
      await recordApiEvent(
        deps.db,
        event("compliance.dnc_imported", q.listId, deps.now(), {
          ...result,
          warning: result.warning ?? null,
        }),
      );
      return c.json(result, 201);
    },
  );
  return app;
}

export function complianceRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("compliance");

  const dncEntriesDoc = doc({
    summary: "Add or remove Do-Not-Call entries",
    access: "buyer",
    body: SuppressionEntries,
    status: 201,
    response: R.Loose,
    errors: WRITE,
  });
  app.post("/compliance/dnc", dncEntriesDoc, async (c) => {
    const input = await body(c, SuppressionEntries);
    const scope = scopeFor(c.get("principal"), input.scope);
    const hashes = hashesOf(deps, input.numbers);
    if (input.action === "remove") await removeSuppressions(deps.redis, deps.db, scope, hashes);
    else await addSuppressions(deps.redis, deps.db, scope, hashes, input.reason);
    await recordApiEvent(
      deps.db,
      event(`compliance.suppression_${input.action === "remove" ? "removed" : "added"}`, scope, deps.now(), {
        scope,
        count: hashes.length,
      }),
    );
    return c.json({ scope, action: input.action, count: hashes.length }, input.action === "add" ? 201 : 200);
  });

  const dncListsDoc = doc({
    summary: "Imported Do-Not-Call lists",
    access: "admin",
    status: 200,
    response: R.List,
    errors: READ,
  });
  const dncImportsDoc = doc({
    summary: "Finished Do-Not-Call file imports with their counts (lines read, numbers added, lines refused)",
    access: "admin",
    query: DncImportsQuery,
    status: 200,
    response: DncImportPage,
    errors: [...READ, "validation_failed"],
  });
  app.get("/compliance/dnc/imports", dncImportsDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const q = query(c, DncImportsQuery);
    const rows = await listDncImports(deps.db, Number(q.limit), q.listId);
    const iso = (t: string | null) => (t === null ? null : new Date(t).toISOString());
    return c.json({
      items: rows.map((r) => ({ ...r, publishedAt: iso(r.publishedAt), finishedAt: iso(r.finishedAt) })),
    });
  });

  app.get("/compliance/dnc/lists", dncListsDoc, async (c) => {
    assertAdmin(c.get("principal"));
    return c.json({ items: await listDncLists(deps.db, deps.now()) });
  });

  const deleteDncListDoc = doc({
    summary: "Delete an imported list",
    access: "admin",
    status: 204,
    response: null,
    errors: READ,
  });
  app.delete("/compliance/dnc/lists/:listId", deleteDncListDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const listId = c.req.param("listId");
    if (!(await deleteDncList(deps.redis, deps.db, listId)))
      throw new ApiError(404, "not_found", `no list ${listId}`);
    await recordApiEvent(deps.db, event("compliance.dnc_list_deleted", listId, deps.now(), { listId }));
    return c.body(null, 204);
  });

  const blocklistDoc = doc({
    summary: "Add or remove blocklisted numbers",
    access: "admin",
    body: BlocklistEntries,
    status: 200,
    response: R.Loose,
    errors: WRITE,
  });
  app.post("/compliance/blocklist", blocklistDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const input = await body(c, BlocklistEntries);
    const hashes = hashesOf(deps, input.numbers);
    if (input.action === "remove") await deps.redis.srem(BLOCKLIST, ...hashes);
    else await deps.redis.sadd(BLOCKLIST, ...hashes);
    await recordApiEvent(
      deps.db,
      event(`compliance.blocklist_${input.action}`, "blocklist", deps.now(), { count: hashes.length }),
    );
    return c.json({ action: input.action, count: hashes.length });
  });

  const createConsentDoc = doc({
    summary: "Record a consent certificate",
    access: "seller",
    body: CreateConsent,
    status: 201,
    response: R.Loose,
    errors: WRITE,
  });
  app.post("/compliance/consents", createConsentDoc, async (c) => {
    const principal = c.get("principal");
    if (principal.role === "buyer") throw new ApiError(403, "forbidden", "sellers and admins record consent");
    const input = await body(c, CreateConsent);
    const sellerId = principal.role === "seller" ? (principal.accountId ?? "") : input.sellerId;
    if (sellerId) assertAccount(principal, sellerId, "seller");
    const phone = checkNanpNumber(input.callerNumber);
    if (!phone.ok) throw new ApiError(400, "validation_failed", `callerNumber: ${phone.detail}`);
    if (Date.parse(input.expiresAt) <= Date.parse(input.obtainedAt)) {
      throw new ApiError(400, "validation_failed", "expiresAt: must be after obtainedAt");
    }
    // Creates the subject key too, so erasure of this number has something to shred.
    const p = await protectNumber(deps.redis, deps.config.pii, phone.e164);
    const row = {
      id: newId("cns"),
      certificateId: input.certificateId,
      callerHash: p.hash,
      sellerId: sellerId ?? null,
      source: input.source,
      obtainedAt: input.obtainedAt,
      expiresAt: input.expiresAt,
    };
    const inserted = await deps.db.insert(consents).values(row).onConflictDoNothing().returning();
    if (inserted.length === 0) {
      throw new ApiError(
        409,
        "idempotency_conflict",
        `certificate ${input.certificateId} is already on record`,
      );
    }
    await recordApiEvent(
      deps.db,
      event("compliance.consent_recorded", row.id, deps.now(), {
        certificateId: row.certificateId,
        sellerId: row.sellerId,
        expiresAt: row.expiresAt,
      }),
    );
    const { callerHash: _h, ...view } = inserted[0]!;
    return c.json(view, 201);
  });

  const getConsentDoc = doc({
    summary: "Get a consent record",
    access: "seller",
    status: 200,
    response: R.Loose,
    errors: READ,
  });
  app.get("/compliance/consents/:certificateId", getConsentDoc, async (c) => {
    const principal = c.get("principal");
    const [row] = await deps.db
      .select()
      .from(consents)
      .where(eq(consents.certificateId, c.req.param("certificateId")));
    if (!row || (principal.role !== "admin" && principal.accountId !== row.sellerId)) {
      throw new ApiError(404, "not_found", "no such consent record");
    }
    const { callerHash: _h, ...view } = row;
    return c.json(view);
  });

  const statusDoc = doc({
    summary: "Compliance data in force",
    access: "admin",
    status: 200,
    response: R.Loose,
    errors: READ,
  });
  app.get("/compliance/status", statusDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const lists = await listDncLists(deps.db, deps.now());
    return c.json({
      dncLists: lists,
      warnings: lists.flatMap((l) => (l.warning ? [l.warning] : [])),
      callingHoursVersion: CALLING_HOURS_VERSION,
      areaCodesVersion: AREA_CODES_VERSION,
    });
  });

  const callingHoursDoc = doc({
    summary: "Calling-hours rules by state",
    access: "any",
    status: 200,
    response: R.Loose,
    errors: AUTH,
  });
  app.get("/compliance/rules/calling-hours", callingHoursDoc, (c) =>
    c.json({ version: CALLING_HOURS_VERSION, rules: CALLING_HOURS_RULES }),
  );

  const exportOf = async (e164: string) => exportSubject({ ...deps, pii: deps.config.pii }, e164, deps.now());
  const erase = async (e164: string) => {
    const report = await eraseSubject({ ...deps, pii: deps.config.pii }, e164, deps.now());
    await recordApiEvent(
      deps.db,
      event("compliance.subject_erased", newId("sub"), deps.now(), { ...report }),
    );
    return report;
  };
  // The number in the body: request paths end up in access logs and proxies' logs.
  const exportSubjectDoc = doc({
    summary: "Export a data subject's records (number in the body)",
    access: "admin",
    body: DataSubject,
    status: 200,
    response: R.Loose,
    errors: [...WRITE],
  });
  app.post("/compliance/subjects/export", exportSubjectDoc, async (c) => {
    assertAdmin(c.get("principal"));
    return c.json(await exportOf(subjectNumber((await body(c, DataSubject)).phoneNumber)));
  });
  const eraseSubjectDoc = doc({
    summary: "Erase a data subject's personal data (number in the body)",
    access: "admin",
    body: DataSubject,
    status: 200,
    response: R.Loose,
    errors: [...WRITE],
  });
  app.post("/compliance/subjects/erase", eraseSubjectDoc, async (c) => {
    assertAdmin(c.get("principal"));
    return c.json(await erase(subjectNumber((await body(c, DataSubject)).phoneNumber)));
  });
  // Deprecated: the number in the path (kept, the contract is additive).
  const exportSubjectByPathDoc = doc({
    summary: "Export a data subject's records",
    access: "admin",
    status: 200,
    response: R.Loose,
    errors: [...READ, "validation_failed"],
    deprecated: "the number lands in access logs: use POST /v1/compliance/subjects/export",
  });
  app.get("/compliance/subjects/:phone/export", exportSubjectByPathDoc, async (c) => {
    assertAdmin(c.get("principal"));
    return c.json(await exportOf(subjectNumber(pathNumber(c.req.param("phone")))));
  });
  const eraseSubjectByPathDoc = doc({
    summary: "Erase a data subject's personal data",
    access: "admin",
    status: 200,
    response: R.Loose,
    errors: [...READ, "validation_failed"],
    deprecated: "the number lands in access logs: use POST /v1/compliance/subjects/erase",
  });
  app.post("/compliance/subjects/:phone/erase", eraseSubjectByPathDoc, async (c) => {
    assertAdmin(c.get("principal"));
    return c.json(await erase(subjectNumber(pathNumber(c.req.param("phone")))));
  });

  return app;
}
