// The delivery log as its endpoint's owner reads it, shared by webhooks and pixels (both are endpoints
// of the one delivery pipeline): pages of deliveries, one delivery with every attempt, a redelivery.
import { and, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { webhookAttempts, webhookDeliveries } from "../db/webhook-schema.ts";
import { ApiError } from "../problem.ts";
import { wakeWorkers } from "./store.ts";

type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export const iso = (t: string) => new Date(t).toISOString();

/** One delivery's summary; a pixel's also names the URL it was sent to. */
export const deliveryView = (d: DeliveryRow) => ({
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
  ...(d.url === null ? {} : { url: d.url }),
});

export async function listDeliveries(
  db: Db,
  endpointId: string,
  q: { status?: "pending" | "delivered" | "failed"; limit: string | number; cursor?: string },
) {
  const limit = Number(q.limit);
  const conditions = [eq(webhookDeliveries.endpointId, endpointId)];
  if (q.status) conditions.push(eq(webhookDeliveries.status, q.status));
  if (q.cursor) conditions.push(lt(webhookDeliveries.seq, Number(q.cursor)));
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(and(...conditions))
    .orderBy(desc(webhookDeliveries.seq))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    items: page.map(deliveryView),
    nextCursor: rows.length > limit ? String(page.at(-1)!.seq) : null,
  };
}

/** One delivery of `endpointId` with its payload and every attempt, or 404 delivery_unknown. */
export async function deliveryDetail(db: Db, endpointId: string, deliveryId: string) {
  const [d] = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpointId)));
  if (!d) throw new ApiError(404, "delivery_unknown", `no delivery ${deliveryId} of ${endpointId}`);
  const attempts = await db
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

/** Makes a delivery due now, whatever its status; the attempt count runs on so the log keeps every try. */
export async function redeliver(db: Db, endpointId: string, deliveryId: string, nowMs: number) {
  const before = await deliveryDetail(db, endpointId, deliveryId);
  await db
    .update(webhookDeliveries)
    .set({ status: "pending", nextAttemptAt: new Date(nowMs).toISOString(), deliveredAt: null })
    .where(eq(webhookDeliveries.id, before.id));
  await wakeWorkers(db);
  return deliveryDetail(db, endpointId, before.id);
}
