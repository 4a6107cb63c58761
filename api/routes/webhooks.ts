// Partner webhooks: endpoints per account and event type, their signing secrets, the delivery log,
// test sends and redeliveries. A buyer or seller sees only its own endpoints; admins see all and may
// register the exchange's own feed (every event, every field).
import { and, count, eq, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import { Hono } from "hono";
import { newId } from "../../actors/kernel/ids.ts";
import { LIMITS, limitHit } from "../../actors/kernel/limits.ts";
import { webhookDeliveries, webhookEndpoints } from "../db/webhook-schema.ts";
import type { ApiDeps, Principal } from "../deps.ts";
import { assertDestination } from "../destination.ts";
import { READ, tagged, WRITE } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import * as R from "../schemas/responses.ts";
import { CreateWebhook, ListDeliveries, ListWebhooks, PatchWebhook } from "../schemas/webhooks.ts";
import { body, limitError, query } from "../validate.ts";
import { deliveryDetail, deliveryView, iso, listDeliveries, redeliver } from "../webhooks/delivery-log.ts";
import { newWebhookSecret, sealSecret } from "../webhooks/secrets.ts";
import { enqueue, resumeEndpoint } from "../webhooks/store.ts";

type EndpointRow = typeof webhookEndpoints.$inferSelect;

const isoOrNull = (t: string | null) => (t === null ? null : iso(t));

const view = ({
  secretCiphertext: _s,
  activeSince: _a,
  kind: _k,
  campaignId: _c,
  method: _m,
  consecutiveFailures,
  failingSince: _f,
  lastFailureAt,
  lastFailureStatusCode,
  lastFailureError,
  suspendedAt,
  failedProbes: _p,
  nextProbeAt,
  ...e
}: EndpointRow) => ({
  ...e,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
  // The breaker (api/webhooks/rules.ts): suspended endpoints keep their deliveries and are probed.
  health: {
    state: suspendedAt === null ? "healthy" : "suspended",
    consecutiveFailures,
    lastFailureAt: isoOrNull(lastFailureAt),
    lastStatusCode: lastFailureStatusCode,
    lastError: lastFailureError,
    suspendedAt: isoOrNull(suspendedAt),
    nextProbeAt: isoOrNull(nextProbeAt),
  },
});

export function webhookRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("webhooks");

  /** The endpoint, if this principal may see it; another account's endpoint is simply not found. */
  async function owned(principal: Principal, id: string): Promise<EndpointRow> {
    const [row] = await deps.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    // A pixel is an endpoint too, but it is read and changed through its campaign's routes only.
    if (row?.kind !== "webhook" || (principal.role !== "admin" && row.accountId !== principal.accountId)) {
      throw new ApiError(404, "webhook_unknown", `no webhook endpoint ${id}`);
    }
    return row;
  }

  const createWebhookDoc = doc({
    summary:
      "Register an endpoint for event types; the answer carries its signing secret (shown only here and on rotation)",
    access: "any",
    body: CreateWebhook,
    status: 201,
    response: R.WebhookWithSecret,
    errors: [...WRITE, "destination_not_allowed"],
  });
  app.post("/webhooks", createWebhookDoc, async (c) => {
    const principal = c.get("principal");
    const input = await body(c, CreateWebhook);
    await assertDestination(deps, "url", input.url);
    let accountId: string | null;
    if (principal.role === "admin") accountId = input.accountId ?? null;
    else if (input.accountId === undefined || input.accountId === principal.accountId)
      accountId = principal.accountId;
    else throw new ApiError(403, "forbidden", `this key may not register webhooks for ${input.accountId}`);
    const secret = newWebhookSecret();
    const row = await deps.db.transaction(async (tx) => {
      // One account's creates queue on its lock, so the count and the insert cannot interleave: two
      // concurrent creates at the last slot make one endpoint, not two.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`webhooks:${accountId}`}, 0))`);
      const [held] = await tx
        .select({ n: count() })
        .from(webhookEndpoints)
        .where(
          and(
            eq(webhookEndpoints.kind, "webhook"),
            accountId === null
              ? isNull(webhookEndpoints.accountId)
              : eq(webhookEndpoints.accountId, accountId),
          ),
        );
      const max = LIMITS["webhooks.perAccount"];
      if ((held?.n ?? 0) >= max)
        throw limitError(limitHit("webhooks.perAccount"), `an account has at most ${max} webhook endpoints`);
      const [inserted] = await tx
        .insert(webhookEndpoints)
        .values({
          id: newId("wh"),
          accountId,
          url: input.url,
          eventTypes: input.eventTypes,
          description: input.description ?? "",
          secretCiphertext: sealSecret(deps.config.pii, secret),
        })
        .returning();
      return inserted!;
    });
    return c.json({ ...view(row), secret }, 201);
  });

  const listWebhooksDoc = doc({
    summary:
      "The caller's webhook endpoints (admins: all, or one account's), each with its health; `health=suspended` lists the broken ones",
    access: "any",
    query: ListWebhooks,
    status: 200,
    response: R.Webhooks,
    errors: [...READ, "validation_failed"],
  });
  app.get("/webhooks", listWebhooksDoc, async (c) => {
    const principal = c.get("principal");
    const q = query(c, ListWebhooks);
    let where: SQL | undefined;
    if (principal.role !== "admin") where = eq(webhookEndpoints.accountId, principal.accountId ?? "");
    else if (q.accountId) where = eq(webhookEndpoints.accountId, q.accountId);
    const health =
      q.health === "suspended"
        ? isNotNull(webhookEndpoints.suspendedAt)
        : q.health === "healthy"
          ? isNull(webhookEndpoints.suspendedAt)
          : undefined;
    const rows = await deps.db
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.kind, "webhook"), where, health))
      .orderBy(webhookEndpoints.createdAt)
      .limit(500);
    return c.json({ items: rows.map(view) });
  });

  const getWebhookDoc = doc({
    summary: "One webhook endpoint",
    access: "any",
    status: 200,
    response: R.Webhook,
    errors: [...READ, "webhook_unknown"],
  });
  app.get("/webhooks/:webhookId", getWebhookDoc, async (c) =>
    c.json(view(await owned(c.get("principal"), c.req.param("webhookId")))),
  );

  const patchWebhookDoc = doc({
    summary: "Change an endpoint's URL, event types, description, or pause it (active: false)",
    access: "any",
    body: PatchWebhook,
    status: 200,
    response: R.Webhook,
    errors: [...WRITE, "webhook_unknown", "destination_not_allowed"],
  });
  app.patch("/webhooks/:webhookId", patchWebhookDoc, async (c) => {
    const principal = c.get("principal");
    const input = await body(c, PatchWebhook);
    await assertDestination(deps, "url", input.url);
    const row = await owned(principal, c.req.param("webhookId"));
    const [updated] = await deps.db
      .update(webhookEndpoints)
      .set({
        ...input,
        updatedAt: new Date(deps.now()).toISOString(),
        // Resuming starts a new active period: events that happened while paused are not sent.
        ...(input.active === true && !row.active ? { activeSince: new Date(deps.now()).toISOString() } : {}),
      })
      .where(eq(webhookEndpoints.id, row.id))
      .returning();
    if (!updated) throw new ApiError(404, "webhook_unknown", `no webhook endpoint ${row.id}`);
    // A new URL for a suspended endpoint is worth a probe now rather than at the next interval.
    if (input.url !== undefined && input.url !== row.url && updated.suspendedAt !== null)
      return c.json(view((await resumeEndpoint(deps.db, row.id, deps.now())) ?? updated));
    return c.json(view(updated));
  });

  const deleteWebhookDoc = doc({
    summary: "Remove an endpoint and its delivery log",
    access: "any",
    status: 204,
    response: null,
    errors: [...READ, "webhook_unknown"],
  });
  app.delete("/webhooks/:webhookId", deleteWebhookDoc, async (c) => {
    const row = await owned(c.get("principal"), c.req.param("webhookId"));
    await deps.db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, row.id));
    return c.body(null, 204);
  });

  const rotateSecretDoc = doc({
    summary: "Replace the signing secret; the new one is in the answer",
    access: "any",
    status: 200,
    response: R.WebhookWithSecret,
    errors: [...READ, "webhook_unknown"],
  });
  app.post("/webhooks/:webhookId/rotate-secret", rotateSecretDoc, async (c) => {
    const row = await owned(c.get("principal"), c.req.param("webhookId"));
    const secret = newWebhookSecret();
    const [updated] = await deps.db
      .update(webhookEndpoints)
      .set({
        secretCiphertext: sealSecret(deps.config.pii, secret),
        updatedAt: new Date(deps.now()).toISOString(),
      })
      .where(eq(webhookEndpoints.id, row.id))
      .returning();
    return c.json({ ...view(updated!), secret });
  });

  const resumeWebhookDoc = doc({
    summary:
      "Resume a suspended endpoint: its oldest pending delivery is tried at once, and once delivered the backlog flows again (idempotent; a healthy endpoint is unchanged)",
    access: "any",
    status: 200,
    response: R.Webhook,
    errors: [...READ, "webhook_unknown"],
  });
  app.post("/webhooks/:webhookId/resume", resumeWebhookDoc, async (c) => {
    const row = await owned(c.get("principal"), c.req.param("webhookId"));
    const after = await resumeEndpoint(deps.db, row.id, deps.now());
    if (!after) throw new ApiError(404, "webhook_unknown", `no webhook endpoint ${row.id}`);
    if (row.suspendedAt !== null)
      c.get("logger").info({ endpointId: row.id, by: c.get("principal").keyId }, "webhooks.resumed");
    return c.json(view(after));
  });

  const testWebhookDoc = doc({
    summary: "Send a webhook.test event to the endpoint",
    access: "any",
    status: 201,
    response: R.WebhookDelivery,
    errors: [...READ, "webhook_unknown"],
  });
  app.post("/webhooks/:webhookId/test", testWebhookDoc, async (c) => {
    const row = await owned(c.get("principal"), c.req.param("webhookId"));
    const eventId = newId("evt");
    await enqueue(deps.db, [
      {
        endpointId: row.id,
        payload: {
          id: eventId,
          type: "webhook.test",
          occurredAt: new Date(deps.now()).toISOString(),
          data: { webhookId: row.id, accountId: row.accountId },
        },
      },
    ]);
    const [d] = await deps.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, eventId));
    return c.json(deliveryView(d!), 201);
  });

  const deliveriesDoc = doc({
    summary: "The endpoint's delivery log, newest first",
    access: "any",
    query: ListDeliveries,
    status: 200,
    response: R.WebhookDeliveries,
    errors: [...READ, "validation_failed", "webhook_unknown"],
  });
  app.get("/webhooks/:webhookId/deliveries", deliveriesDoc, async (c) => {
    const row = await owned(c.get("principal"), c.req.param("webhookId"));
    return c.json(await listDeliveries(deps.db, row.id, query(c, ListDeliveries)));
  });

  const deliveryDoc = doc({
    summary: "One delivery: its body and every attempt (time, HTTP status or error, duration)",
    access: "any",
    status: 200,
    response: R.WebhookDelivery,
    errors: [...READ, "webhook_unknown", "delivery_unknown"],
  });
  app.get("/webhooks/:webhookId/deliveries/:deliveryId", deliveryDoc, async (c) => {
    const row = await owned(c.get("principal"), c.req.param("webhookId"));
    return c.json(await deliveryDetail(deps.db, row.id, c.req.param("deliveryId")));
  });

  const redeliverDoc = doc({
    summary: "Try a delivery again now, whatever its status",
    access: "any",
    status: 200,
    response: R.WebhookDelivery,
    errors: [...READ, "webhook_unknown", "delivery_unknown"],
  });
  app.post("/webhooks/:webhookId/deliveries/:deliveryId/redeliver", redeliverDoc, async (c) => {
    const row = await owned(c.get("principal"), c.req.param("webhookId"));
    return c.json(await redeliver(deps.db, row.id, c.req.param("deliveryId"), deps.now()));
  });

  return app;
}
