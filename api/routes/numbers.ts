// Tracking numbers: a seller assigns its DIDs to its own campaigns (an admin to any); buyers have none.
import type { Context } from "hono";
import { Hono } from "hono";
import { LIMITS, limitHit } from "../../actors/kernel/limits.ts";
import type { SellerCampaignEntry } from "../../actors/seller/campaign-index.ts";
import type { ApiDeps, Principal } from "../deps.ts";
import { assertAccount } from "../middleware/auth.ts";
import { parseNumbersCsv } from "../numbers/csv.ts";
import { checkTrackingNumber } from "../numbers/e164.ts";
import {
  assignNumber,
  findNumber,
  listNumbers,
  reassignNumber,
  releaseNumber,
  viewOf,
} from "../numbers/store.ts";
import { READ, tagged, WRITE } from "../openapi/facts.ts";
import { ApiError, problemDetails } from "../problem.ts";
import {
  CreateNumber,
  ImportResult,
  ListNumbers,
  NumberPage,
  NumberView,
  PatchNumber,
} from "../schemas/numbers.ts";
import { body, check, limitError, problemsError, query } from "../validate.ts";
import { findSellerCampaign } from "./campaigns.ts";

/** The seller whose numbers a key manages (null: an admin, every seller's); a buyer key gets a 403. */
function scopeOf(p: Principal): string | null {
  if (p.role === "admin") return null;
  if (p.role !== "seller" || !p.accountId)
    throw new ApiError(403, "forbidden", "tracking numbers are a seller's");
  return p.accountId;
}

/** The path's number; a malformed one is simply not a number anyone has. */
function pathNumber(c: Context): string {
  const raw = c.req.param("number") ?? "";
  const checked = checkTrackingNumber(raw);
  if (!checked.ok) throw new ApiError(404, "number_unknown", "no such tracking number");
  return checked.number;
}

const campaignUnknown = (id: string) =>
  new ApiError(404, "seller_campaign_unknown", `no seller campaign ${id}`);

export function numberRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("campaigns");

  /** The campaign a number may go to: one of the key's seller's own (any seller's for an admin). */
  async function campaignFor(scope: string | null, campaignId: string): Promise<SellerCampaignEntry> {
    const entry = await findSellerCampaign(deps, campaignId);
    if (!entry || (scope !== null && entry.sellerId !== scope)) throw campaignUnknown(campaignId);
    return entry;
  }

  const createDoc = doc({
    summary: "Assign a tracking number to a seller campaign",
    access: "seller",
    body: CreateNumber,
    status: 201,
    response: NumberView,
    errors: [...WRITE, "limit_exceeded", "seller_campaign_unknown", "number_taken"],
  });
  app.post("/numbers", createDoc, async (c) => {
    const principal = c.get("principal");
    const scope = scopeOf(principal);
    const input = await body(c, CreateNumber);
    const entry = await campaignFor(scope, input.sellerCampaignId);
    const row = await assignNumber(deps.db, { ...input, sellerId: entry.sellerId }, principal, deps.now());
    if (!row) throw new ApiError(409, "number_taken", `${input.number} is already active`);
    return c.json(viewOf(row), 201);
  });

  const importDoc = doc({
    summary: `Assign tracking numbers from a CSV file (header \`number,sellerCampaignId,tags\`, tags \`;\`-separated, at most ${LIMITS["numbers.import"]} rows): one answer per row`,
    access: "seller",
    status: 200,
    response: ImportResult,
    raw: "text/csv",
    errors: [...WRITE, "limit_exceeded"],
  });
  app.post("/numbers/import", importDoc, async (c) => {
    const principal = c.get("principal");
    const scope = scopeOf(principal);
    if (!/^text\/csv\b/i.test(c.req.header("content-type") ?? ""))
      throw new ApiError(400, "validation_failed", "the body must be text/csv");
    const file = parseNumbersCsv(await c.req.text());
    if (!file.ok) throw new ApiError(400, "validation_failed", file.detail);
    if (file.rows.length > LIMITS["numbers.import"])
      throw limitError(
        limitHit("numbers.import"),
        `an import has at most ${LIMITS["numbers.import"]} rows (limit numbers.import)`,
      );
    const campaigns = new Map<string, Promise<SellerCampaignEntry>>();
    const rows = [];
    for (const row of file.rows) {
      try {
        if (row.error || !row.input)
          throw problemsError([{ field: `line ${row.line}`, message: row.error ?? "unreadable" }]);
        const input = check(CreateNumber, row.input);
        let campaign = campaigns.get(input.sellerCampaignId);
        if (!campaign) {
          campaign = campaignFor(scope, input.sellerCampaignId);
          campaign.catch(() => undefined);
          campaigns.set(input.sellerCampaignId, campaign);
        }
        const entry = await campaign;
        const created = await assignNumber(
          deps.db,
          { ...input, sellerId: entry.sellerId },
          principal,
          deps.now(),
        );
        if (!created) throw new ApiError(409, "number_taken", `${input.number} is already active`);
        rows.push({ line: row.line, number: row.number, outcome: "created", item: viewOf(created) });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        const problem = problemDetails(err, c.req.path);
        rows.push({ line: row.line, number: row.number, outcome: "refused", problem });
      }
    }
    const created = rows.filter((r) => r.outcome === "created").length;
    return c.json({ created, refused: rows.length - created, rows });
  });

  const listDoc = doc({
    summary: "List tracking numbers (a seller's own; an admin's all), in assignment order",
    access: "seller",
    query: ListNumbers,
    status: 200,
    response: NumberPage,
    errors: [...READ, "validation_failed"],
  });
  app.get("/numbers", listDoc, async (c) => {
    const principal = c.get("principal");
    let scope = scopeOf(principal);
    const q = query(c, ListNumbers);
    if (q.sellerId) {
      assertAccount(principal, q.sellerId, "seller");
      scope = q.sellerId;
    }
    if (q.cursor !== undefined && !/^[0-9]{1,15}$/.test(q.cursor))
      throw new ApiError(400, "validation_failed", "cursor: not a cursor this API issued");
    const limit = Number(q.limit);
    const found = await listNumbers(deps.db, {
      sellerId: scope,
      sellerCampaignId: q.sellerCampaignId,
      status: q.status,
      after: q.cursor === undefined ? undefined : Number(q.cursor),
      limit,
    });
    const page = found.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = found.length > limit && last ? String(last.id) : null;
    return c.json({ items: page.map(viewOf), nextCursor });
  });

  const getDoc = doc({
    summary: "Get a tracking number (its active assignment, else its latest released one)",
    access: "seller",
    status: 200,
    response: NumberView,
    errors: [...READ, "number_unknown"],
  });
  app.get("/numbers/:number", getDoc, async (c) => {
    const number = pathNumber(c);
    const row = await findNumber(deps.db, number, scopeOf(c.get("principal")));
    if (!row) throw new ApiError(404, "number_unknown", `no tracking number ${number}`);
    return c.json(viewOf(row));
  });

  const patchDoc = doc({
    summary:
      "Move an active tracking number to another campaign (an admin: of any seller) or change its tags",
    access: "seller",
    body: PatchNumber,
    status: 200,
    response: NumberView,
    errors: [
      ...WRITE,
      "not_found",
      "limit_exceeded",
      "number_unknown",
      "number_released",
      "seller_campaign_unknown",
    ],
  });
  app.patch("/numbers/:number", patchDoc, async (c) => {
    const principal = c.get("principal");
    const scope = scopeOf(principal);
    const number = pathNumber(c);
    const patch = await body(c, PatchNumber);
    if (patch.sellerCampaignId === undefined && patch.tags === undefined)
      throw problemsError([{ field: "body", message: "give sellerCampaignId or tags" }]);
    const current = await findNumber(deps.db, number, scope);
    if (!current) throw new ApiError(404, "number_unknown", `no tracking number ${number}`);
    const entry = patch.sellerCampaignId ? await campaignFor(scope, patch.sellerCampaignId) : undefined;
    const change = { ...patch, ...(entry ? { sellerId: entry.sellerId } : {}) };
    const row = await reassignNumber(deps.db, number, scope, change, principal, deps.now());
    if (!row) throw new ApiError(409, "number_released", `${number} is released`);
    return c.json(viewOf(row));
  });

  const releaseDoc = doc({
    summary: "Release a tracking number (its row stays, released; releasing it again answers the same)",
    access: "seller",
    status: 200,
    response: NumberView,
    errors: [...READ, "number_unknown"],
  });
  app.delete("/numbers/:number", releaseDoc, async (c) => {
    const principal = c.get("principal");
    const scope = scopeOf(principal);
    const number = pathNumber(c);
    const row =
      (await releaseNumber(deps.db, number, scope, principal, deps.now())) ??
      (await findNumber(deps.db, number, scope));
    if (!row) throw new ApiError(404, "number_unknown", `no tracking number ${number}`);
    return c.json(viewOf(row));
  });

  return app;
}
