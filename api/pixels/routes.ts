// Campaign pixels: `/v1/buyers/{id}/campaigns/{cid}/pixels` and the same under sellers. A pixel is an
// endpoint of the webhook pipeline (kind `pixel`, scoped to its campaign), so retries, the delivery
// log and the egress guard are the webhooks' own; its template's tokens are checked against its
// owner's view at save time, and the literal destination against the egress guard.
import { and, count, eq, sql } from "drizzle-orm";
import { type Context, Hono } from "hono";
import type { IBuyerActor } from "../../actors/buyer/buyer-api.ts";
import { newId } from "../../actors/kernel/ids.ts";
import { LIMITS, limitHit } from "../../actors/kernel/limits.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import type { ISellerActor } from "../../actors/seller/seller-api.ts";
import { webhookEndpoints } from "../db/webhook-schema.ts";
import type { ApiDeps } from "../deps.ts";
import { assertDestination } from "../destination.ts";
import { assertAccount } from "../middleware/auth.ts";
import { READ, tagged, WRITE } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import { CreatePixel, PatchPixel } from "../schemas/pixels.ts";
import * as R from "../schemas/responses.ts";
import { ListDeliveries } from "../schemas/webhooks.ts";
import { actorCall, body, limitError, query } from "../validate.ts";
import { deliveryDetail, iso, listDeliveries, redeliver } from "../webhooks/delivery-log.ts";
import { newWebhookSecret, sealSecret } from "../webhooks/secrets.ts";
import { literalPart, templateRefusal } from "./template.ts";

type EndpointRow = typeof webhookEndpoints.$inferSelect;

const view = (e: EndpointRow) => ({
  id: e.id,
  accountId: e.accountId!,
  campaignId: e.campaignId!,
  url: e.url,
  events: e.eventTypes,
  method: e.method,
  description: e.description,
  active: e.active,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
});

type Role = "buyer" | "seller";

export function pixelRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("webhooks");

  /** 404 unless the account holds the campaign (read from its actor, the campaign's one home). */
  async function assertCampaign(role: Role, accountId: string, campaignId: string) {
    const state =
      role === "buyer"
        ? await actorCall(actorProxy<IBuyerActor>(deps.dapr, "BuyerActor", accountId).get())
        : await actorCall(actorProxy<ISellerActor>(deps.dapr, "SellerActor", accountId).get());
    if (state.campaigns[campaignId]) return;
    const code = role === "buyer" ? "campaign_unknown" : "seller_campaign_unknown";
    throw new ApiError(404, code, `no campaign ${campaignId} on ${role} ${accountId}`);
  }

  /** Refuses a template whose tokens the owner may not use, or whose literal destination is internal. */
  async function assertTemplate(role: Role, url: string | undefined) {
    if (url === undefined) return;
    const refused = templateRefusal(url, role);
    if (refused)
      throw new ApiError(400, refused.code, `url: ${refused.message}`, {
        ...(refused.token === undefined ? {} : { token: refused.token }),
        errors: [{ path: "url", message: refused.message }],
      });
    await assertDestination(deps, "url", literalPart(url));
  }

  /** The path's account and campaign, checked against the caller's key. */
  function scope(c: Context, role: Role) {
    const accountId = c.req.param(role === "buyer" ? "buyerId" : "sellerId")!;
    const campaignId = c.req.param("campaignId")!;
    assertAccount(c.get("principal"), accountId, role);
    return { accountId, campaignId };
  }

  async function owned(c: Context, role: Role): Promise<EndpointRow> {
    const { accountId, campaignId } = scope(c, role);
    const id = c.req.param("pixelId")!;
    const [row] = await deps.db
      .select()
      .from(webhookEndpoints)
      .where(
        and(
          eq(webhookEndpoints.id, id),
          eq(webhookEndpoints.kind, "pixel"),
          eq(webhookEndpoints.accountId, accountId),
          eq(webhookEndpoints.campaignId, campaignId),
        ),
      );
    if (!row) throw new ApiError(404, "pixel_unknown", `no pixel ${id} on campaign ${campaignId}`);
    return row;
  }

  for (const role of ["buyer", "seller"] as const) {
    const base = `/${role}s/:${role}Id/campaigns/:campaignId/pixels`;
    const unknown = [role === "buyer" ? "buyer_unknown" : "seller_unknown", "pixel_unknown"] as const;
    const pixelErrors = [
      "destination_not_allowed",
      "pixel_template_invalid",
      "pixel_token_unknown",
      "pixel_token_forbidden",
    ] as const;
    const campaignUnknown = role === "buyer" ? "campaign_unknown" : "seller_campaign_unknown";

    const createDoc = doc({
      summary: `Add a pixel to a ${role} campaign: a URL template fired on chosen call events`,
      access: role,
      body: CreatePixel,
      status: 201,
      response: R.PixelWithSecret,
      errors: [...WRITE, unknown[0], campaignUnknown, ...pixelErrors],
    });
    app.post(base, createDoc, async (c) => {
      const { accountId, campaignId } = scope(c, role);
      const input = await body(c, CreatePixel);
      await assertTemplate(role, input.url);
      await assertCampaign(role, accountId, campaignId);
      const secret = newWebhookSecret();
      const row = await deps.db.transaction(async (tx) => {
        // One campaign's creates queue on its lock, so the count and the insert cannot interleave.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`pixels:${campaignId}`}, 0))`);
        const [held] = await tx
          .select({ n: count() })
          .from(webhookEndpoints)
          .where(and(eq(webhookEndpoints.kind, "pixel"), eq(webhookEndpoints.campaignId, campaignId)));
        const max = LIMITS["pixels.perCampaign"];
        if ((held?.n ?? 0) >= max)
          throw limitError(limitHit("pixels.perCampaign"), `a campaign has at most ${max} pixels`);
        const [inserted] = await tx
          .insert(webhookEndpoints)
          .values({
            id: newId("pxl"),
            kind: "pixel",
            accountId,
            campaignId,
            url: input.url,
            method: input.method,
            eventTypes: input.events,
            description: input.description ?? "",
            secretCiphertext: sealSecret(deps.config.pii, secret),
          })
          .returning();
        return inserted!;
      });
      return c.json({ ...view(row), secret }, 201);
    });

    const listDoc = doc({
      summary: `The pixels of a ${role} campaign`,
      access: role,
      status: 200,
      response: R.Pixels,
      errors: [...READ, unknown[0]],
    });
    app.get(base, listDoc, async (c) => {
      const { accountId, campaignId } = scope(c, role);
      const rows = await deps.db
        .select()
        .from(webhookEndpoints)
        .where(
          and(
            eq(webhookEndpoints.kind, "pixel"),
            eq(webhookEndpoints.accountId, accountId),
            eq(webhookEndpoints.campaignId, campaignId),
          ),
        )
        .orderBy(webhookEndpoints.createdAt);
      return c.json({ items: rows.map(view) });
    });

    const getDoc = doc({
      summary: "One pixel",
      access: role,
      status: 200,
      response: R.Pixel,
      errors: [...READ, ...unknown],
    });
    app.get(`${base}/:pixelId`, getDoc, async (c) => c.json(view(await owned(c, role))));

    const patchDoc = doc({
      summary: "Change a pixel's template, events, method or description, or pause it (active: false)",
      access: role,
      body: PatchPixel,
      status: 200,
      response: R.Pixel,
      errors: [...WRITE, ...unknown, ...pixelErrors],
    });
    app.patch(`${base}/:pixelId`, patchDoc, async (c) => {
      const input = await body(c, PatchPixel);
      await assertTemplate(role, input.url);
      const row = await owned(c, role);
      const { events, ...rest } = input;
      const now = new Date(deps.now()).toISOString();
      const [updated] = await deps.db
        .update(webhookEndpoints)
        .set({
          ...rest,
          ...(events ? { eventTypes: events } : {}),
          updatedAt: now,
          // Resuming starts a new active period: events that happened while paused are not sent.
          ...(input.active === true && !row.active ? { activeSince: now } : {}),
        })
        .where(eq(webhookEndpoints.id, row.id))
        .returning();
      if (!updated) throw new ApiError(404, "pixel_unknown", `no pixel ${row.id}`);
      return c.json(view(updated));
    });

    const deleteDoc = doc({
      summary: "Remove a pixel and its delivery log",
      access: role,
      status: 204,
      response: null,
      errors: [...READ, ...unknown],
    });
    app.delete(`${base}/:pixelId`, deleteDoc, async (c) => {
      const row = await owned(c, role);
      await deps.db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, row.id));
      return c.body(null, 204);
    });

    const deliveriesDoc = doc({
      summary: "The pixel's delivery log, newest first (each with the URL it was sent to)",
      access: role,
      query: ListDeliveries,
      status: 200,
      response: R.WebhookDeliveries,
      errors: [...READ, "validation_failed", ...unknown],
    });
    app.get(`${base}/:pixelId/deliveries`, deliveriesDoc, async (c) => {
      const row = await owned(c, role);
      return c.json(await listDeliveries(deps.db, row.id, query(c, ListDeliveries)));
    });

    const deliveryDoc = doc({
      summary: "One pixel delivery: the URL, the event payload it was rendered from, every attempt",
      access: role,
      status: 200,
      response: R.WebhookDelivery,
      errors: [...READ, ...unknown, "delivery_unknown"],
    });
    app.get(`${base}/:pixelId/deliveries/:deliveryId`, deliveryDoc, async (c) => {
      const row = await owned(c, role);
      return c.json(await deliveryDetail(deps.db, row.id, c.req.param("deliveryId")));
    });

    const redeliverDoc = doc({
      summary: "Try a pixel delivery again now, whatever its status",
      access: role,
      status: 200,
      response: R.WebhookDelivery,
      errors: [...READ, ...unknown, "delivery_unknown"],
    });
    app.post(`${base}/:pixelId/deliveries/:deliveryId/redeliver`, redeliverDoc, async (c) => {
      const row = await owned(c, role);
      return c.json(await redeliver(deps.db, row.id, c.req.param("deliveryId"), deps.now()));
    });
  }
  return app;
}
