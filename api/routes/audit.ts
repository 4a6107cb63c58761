// Audit: query the hash-chained log and verify that every chain is intact and holds the latest signed
// checkpoint (admin only).
import { Hono } from "hono";
import { auditQuery } from "../audit/audit-log.ts";
import { verifyAudit } from "../audit/verify.ts";
import type { ApiDeps } from "../deps.ts";
import { assertAdmin } from "../middleware/auth.ts";
import { READ, tagged } from "../openapi/facts.ts";
import { AuditQuery } from "../schemas/compliance.ts";
import * as R from "../schemas/responses.ts";
import { query } from "../validate.ts";

export function auditRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("audit");

  const verifyAuditDoc = doc({
    summary: "Verify every audit hash chain",
    access: "admin",
    status: 200,
    response: R.Loose,
    errors: READ,
  });
  app.get("/audit/verify", verifyAuditDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const started = performance.now();
    const key = deps.auditCheckpointKey;
    const report = await verifyAudit(deps.db, key ? { redis: deps.redis, key } : undefined);
    return c.json({ ...report, durationMs: Math.round(performance.now() - started) });
  });

  const queryAuditDoc = doc({
    summary: "Query the audit log",
    access: "admin",
    query: AuditQuery,
    status: 200,
    response: R.List,
    errors: [...READ, "validation_failed"],
  });
  app.get("/audit", queryAuditDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const q = query(c, AuditQuery);
    const limit = Math.min(1000, Math.max(1, Number(q.limit)));
    return c.json({ items: await auditQuery(deps.db, { ...q, limit }) });
  });

  return app;
}
