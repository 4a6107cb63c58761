// Audit: query the hash-chained log and verify that every chain is intact (admin only).
import { Hono } from "hono";
import { auditQuery } from "../audit/audit-log.ts";
import { verifyAudit } from "../audit/verify.ts";
import type { ApiDeps } from "../deps.ts";
import { assertAdmin } from "../middleware/auth.ts";
import { AuditQuery } from "../schemas/compliance.ts";
import { check } from "../validate.ts";

export function auditRoutes(deps: ApiDeps) {
  const app = new Hono();

  app.get("/audit/verify", async (c) => {
    assertAdmin(c.get("principal"));
    const started = performance.now();
    const report = await verifyAudit(deps.db);
    return c.json({ ...report, durationMs: Math.round(performance.now() - started) });
  });

  app.get("/audit", async (c) => {
    assertAdmin(c.get("principal"));
    const q = check(AuditQuery, c.req.query());
    const limit = Math.min(1000, Math.max(1, Number(q.limit)));
    return c.json({ items: await auditQuery(deps.db, { ...q, limit }) });
  });

  return app;
}
