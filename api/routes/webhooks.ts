// Partner webhooks: endpoints per account and event type, their signing secrets, the delivery log,
// test sends and redeliveries. A buyer or seller sees only its own endpoints; admins see all and may
// register the exchange's own feed (every event, every field).
import { and, count, desc, eq, isNull, lt, type SQL, sql } from "drizzle-orm";
import { Hono } from "hono";
import { newId } from "../../actors/kernel/ids.ts";
import { LIMITS, limitHit } from "../../actors/kernel/limits.ts";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "../db/webhook-schema.ts";
import type { ApiDeps, Principal } from "../deps.ts";
import { assertDestination } from "../destination.ts";
import { ApiError } from "../problem.ts";
import { CreateWebhook, ListDeliveries, ListWebhooks, PatchWebhook } from "../schemas/webhooks.ts";
import { body, check, limitError } from "../validate.ts";
import { newWebhookSecret, sealSecret } from "../webhooks/secrets.ts";
import { enqueue, wakeWorkers } from "../webhooks/store.ts";

type EndpointRow = typeof webhookEndpoints.$inferSelect;
type DeliveryRow = typeof webhookDeliveries.$inferSelect;

const iso = (t: string) => new Date(t).toISOString();

const view = ({ secretCiphertext: _s, activeSince: _a, ...e }: EndpointRow) => ({
  ...e,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
});

const deliveryView = (d: DeliveryRow) => ({
  id: d.id,
  webhookId: d.endpointId,
  eventId: d.eventId,
  eventType: d.eventType,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === "pending" ? iso(d.nextAttemptAt) : null,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  createdAt: iso(d.createdAt),
  deliveredAt: d.deliveredAt ? iso(d.deliveredAt) : null,
});

export function webhookRoutes(deps: ApiDeps) {
  const app = new Hono();

  /** The endpoint, if this principal may see it; another account's endpoint is simply not found. */
  async function owned(principal: Principal, id: string): Promise<EndpointRow> {
    const [row] = await deps.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    if (!row || (principal.role !== "admin" && row.accountId !== principal.accountId)) {
      throw new ApiError(404, "webhook_unknown", `no webhook endpoint ${id}`);
    }
    return row;
  }

  app.post("/webhooks", async (c) => {
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
          accountId === null ? isNull(webhookEndpoints.accountId) : eq(webhookEndpoints.accountId, accountId),
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
          secretCiphertext: sealSecret(deps.config.piiKey, secret),
        })
        .returning();
      return inserted!;
    });
    return c.json({ ...view(row), secret }, 201);
  });

  app.get("/webhooks", async (c) => {
    const principal = c.get("principal");
    const q = check(ListWebhooks, c.req.query());
    let where: SQL | undefined;
    if (principal.role !== "admin") where = eq(webhookEndpoints.accountId, principal.accountId ?? "");
    else if (q.accountId) where = eq(webhookEndpoints.accountId, q.accountId);
    const rows = await deps.db
      .select()
      .from(webhookEndpoints)
      .where(where)
      .orderBy(webhookEndpoints.createdAt)
      .limit(500);
    return c.json({ items: rows.map(view) });
  });

  app.get("/webhooks/:webhookId", async (c) =>
    c.json(view(await owned(c.get("principal"), c.req.param("webhookId")))),
  );

  app.patch("/webhooks/:webhookId", async (c) => {
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
    return c.json(view(updated));
  });

  app.delete("/webhooks/:webhookId", async (c) => {
    const row = await owned(c.get("principal"), c.req.param("webhookId"));
    await deps.db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, row.id));
    return c.body(null, 204);
  });

  app.post("/webhooks/:webhookId/rotate-secret", async (c) => {
    const row = await owned(c.get("principal"), c.req.param("webhookId"));
    const secret = newWebhookSecret();
    const [updated] = await deps.db
      .update(webhookEndpoints)
      .set({
        secretCiphertext: sealSecret(deps.config.piiKey, secret),
        updatedAt: new Date(deps.now()).toISOString(),
      })
      .where(eq(webhookEndpoints.id, row.id))
      .returning();
    return c.json({ ...view(updated!), secret });
  });

  app.post("/webhooks/:webhookId/test", async (c) => {
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

  app.get("/webhooks/:webhookId/deliveries", async (c) => {
    const row = await owned(c.get("principal"), c.req.param("webhookId"));
    const q = check(ListDeliveries, c.req.query());
    const limit = Number(q.limit);
    const conditions = [eq(webhookDeliveries.endpointId, row.id)];
    if (q.status) conditions.push(eq(webhookDeliveries.status, q.status));
    if (q.cursor) conditions.push(lt(webhookDeliveries.seq, Number(q.cursor)));
    const rows = await deps.db
      .select()
      .from(webhookDeliveries)
      .where(and(...conditions))
      .orderBy(desc(webhookDeliveries.seq))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    return c.json({
      items: page.map(deliveryView),
      nextCursor: rows.length > limit ? String(page.at(-1)!.seq) : null,
    });
  });

  async function delivery(webhookId: string, deliveryId: string) {
    const [d] = await deps.db
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, webhookId)));
    if (!d) throw new ApiError(404, "delivery_unknown", `no delivery ${deliveryId} of ${webhookId}`);
    const attempts = await deps.db
      .select()
      .from(webhookAttempts)
      .where(eq(webhookAttempts.deliveryId, d.id))
      .orderBy(webhookAttempts.attempt);
    return {
      ...deliveryView(d),
      payload: JSON.parse(d.body) as Record<string, unknown>,
      attemptLog: attempts.map((a) => ({
        attempt: a.attempt,
        at: iso(a.at),
        statusCode: a.statusCode,
        error: a.error,
        durationMs: a.durationMs,
        responseExcerpt: a.responseExcerpt,
      })),
    };
  }

  app.get("/webhooks/:webhookId/deliveries/:deliveryId", async (c) => {
    const row = await owned(c.get("principal"), c.req.param("webhookId"));
    return c.json(await delivery(row.id, c.req.param("deliveryId")));
  });

  app.post("/webhooks/:webhookId/deliveries/:deliveryId/redeliver", async (c) => {
    const row = await owned(c.get("principal"), c.req.param("webhookId"));
    const before = await delivery(row.id, c.req.param("deliveryId"));
    // Due now, one more try; the attempt count runs on so the log keeps every earlier attempt.
    await deps.db
      .update(webhookDeliveries)
      .set({ status: "pending", nextAttemptAt: new Date(deps.now()).toISOString(), deliveredAt: null })
      .where(eq(webhookDeliveries.id, before.id));
    await wakeWorkers(deps.db);
    return c.json(await delivery(row.id, before.id));
  });

  return app;
}
