// Reports: GET /v1/reports/{calls|revenue|win-rates}, JSON or CSV, scoped to the key's own account
// (admins: all calls, or one account with ?accountId=).
import { Hono } from "hono";
import * as v from "valibot";
import type { ApiDeps } from "../deps.ts";
import { assertAccount } from "../middleware/auth.ts";
import { READ, tagged } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import { type ReportScope, report, toCsv } from "../reports/reports.ts";
import { ReportKind, ReportQuery } from "../schemas/reports.ts";
import * as R from "../schemas/responses.ts";
import { query } from "../validate.ts";
import { access, viewAs } from "../views/policy.ts";

export function reportRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("reports");
  const reportDoc = doc({
    summary: "Calls, revenue or win rates (kind: calls | revenue | win-rates) by campaign or hour",
    access: "any",
    query: ReportQuery,
    status: 200,
    response: R.Report,
    csv: true,
    errors: [...READ, "validation_failed"],
  });
  app.get("/reports/:kind", reportDoc, async (c) => {
    const kind = c.req.param("kind");
    if (!v.is(ReportKind, kind)) throw new ApiError(404, "not_found", `no report ${kind}`);
    const q = query(c, ReportQuery);
    const principal = c.get("principal");
    const accountId = principal.role === "admin" ? q.accountId : (q.accountId ?? principal.accountId ?? "");
    if (accountId) assertAccount(principal, accountId);
    const scope: ReportScope = !accountId
      ? {}
      : accountId.startsWith("byr_")
        ? { buyerId: accountId }
        : { sellerId: accountId };
    const full = await report(deps.db, kind, scope, q);
    // Columns the viewer may not see (a buyer: payout and margin) leave the JSON and the CSV alike.
    const columns = full.columns.filter((col) => access(principal.role, col) !== "no");
    const result = viewAs(principal, { ...full, columns });
    if (q.format === "csv") {
      return c.body(toCsv(result.columns, result.items), 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${kind}-by-${q.groupBy}.csv"`,
      });
    }
    return c.json({ ...result, accountId: accountId || null });
  });
  return app;
}
