// Webhook deliveries in Postgres: enqueued in the transaction that records the event (so an event is
// never recorded without its deliveries, nor delivered twice to one endpoint), claimed by workers with
// FOR UPDATE SKIP LOCKED under a lease, and finished with one row per HTTP attempt.
import { and, eq, sql } from "drizzle-orm";
import type { DomainEvent } from "../../actors/kernel/events.ts";
import { newId } from "../../actors/kernel/ids.ts";
import type { Db } from "../db/client.ts";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "../db/webhook-schema.ts";
import type { Tx } from "../ledger/ledger.ts";
import { pixelDelivery } from "../pixels/render.ts";
import { audiences, campaignsOf, isWebhookEventType, payloadFor, type WebhookPayload } from "./rules.ts";

export const WAKE_CHANNEL = "dce_webhooks";

/**
 * Enqueues one delivery of each event per active endpoint that subscribed to its type, was active when
 * the event happened, and may see it (the exchange-wide feed, or an account the event concerns). One
 * query matches every event of the batch against the endpoints, and one insert enqueues the lot.
 */
export async function enqueueDeliveries(tx: Tx, events: DomainEvent[]): Promise<number> {
  const sendable = events.filter((e) => isWebhookEventType(e.type));
  if (sendable.length === 0) return 0;
  const batch = JSON.stringify(
    sendable.map((e, idx) => {
      const who = audiences(e);
      return {
        idx,
        type: e.type,
        occurred_at: e.occurredAt,
        exchange: who.includes(null),
        accounts: who.filter((a): a is string => a !== null),
        campaigns: campaignsOf(e),
      };
    }),
  );
  const ep = webhookEndpoints;
  const matches = await tx.execute<{
    idx: number;
    endpoint_id: string;
    account_id: string | null;
    kind: "webhook" | "pixel";
    campaign_id: string | null;
    url: string;
  }>(sql`
    select v.idx, ${ep.id} as endpoint_id, ${ep.accountId} as account_id, ${ep.kind} as kind,
           ${ep.campaignId} as campaign_id, ${ep.url} as url
    from jsonb_to_recordset(${batch}::jsonb)
      as v(idx int, type text, occurred_at timestamptz, exchange boolean, accounts jsonb, campaigns jsonb)
    join ${ep} on ${ep.active}
      -- decided by when the event happened, not when it reached this writer
      and ${ep.activeSince} <= v.occurred_at
      and ${ep.eventTypes} @> array[v.type]
      and ((v.exchange and ${ep.accountId} is null) or v.accounts ? ${ep.accountId})
      -- a pixel fires only for calls of its own campaign
      and (${ep.kind} = 'webhook' or v.campaigns ? ${ep.campaignId})
    order by v.idx`);
  const rows = [...matches];
  if (rows.length === 0) return 0;
  return enqueue(
    tx,
    rows.map((m) => {
      const e = sendable[m.idx]!;
      if (m.kind === "pixel" && m.account_id && m.campaign_id) {
        const pixel = { template: m.url, accountId: m.account_id, campaignId: m.campaign_id };
        return { endpointId: m.endpoint_id, ...pixelDelivery(e, pixel) };
      }
      return { endpointId: m.endpoint_id, payload: payloadFor(e, m.account_id) };
    }),
  );
}

export async function enqueue(
  q: Db | Tx,
  rows: { endpointId: string; payload: WebhookPayload; url?: string }[],
): Promise<number> {
  const inserted = await q
    .insert(webhookDeliveries)
    .values(
      rows.map((r) => ({
        id: newId("whd"),
        endpointId: r.endpointId,
        eventId: r.payload.id,
        eventType: r.payload.type,
        body: JSON.stringify(r.payload),
        url: r.url ?? null,
      })),
    )
    .onConflictDoNothing({ target: [webhookDeliveries.endpointId, webhookDeliveries.eventId] })
    .returning({ id: webhookDeliveries.id });
  if (inserted.length > 0) await wakeWorkers(q); // in a transaction, the notification goes at commit
  return inserted.length;
}

export async function wakeWorkers(q: Db | Tx): Promise<void> {
  await q.execute(sql`select pg_notify(${WAKE_CHANNEL}, '')`);
}

export interface Claimed {
  id: string;
  endpointId: string;
  eventType: string;
  body: string;
  attempt: number;
  /** The delivery's own URL (a pixel's, rendered) or else the endpoint's. */
  url: string;
  method: "GET" | "POST";
  secretCiphertext: string;
}

/**
 * Takes up to `limit` due deliveries of active endpoints, at most `perEndpoint` of any one endpoint
 * (so a slow or dead endpoint's backlog cannot take every slot from the others), skipping those
 * `busy` already. Each claim counts an attempt and pushes the delivery's due time out by `leaseMs`:
 * a worker that dies mid-attempt leaves it to be retried then.
 */
export async function claimDue(
  db: Db,
  limit: number,
  leaseMs: number,
  perEndpoint = limit,
  busy: string[] = [],
): Promise<Claimed[]> {
  const rows = await db.execute<{
    id: string;
    endpoint_id: string;
    event_type: string;
    body: string;
    attempts: number;
    url: string;
    method: "GET" | "POST";
    secret_ciphertext: string;
  }>(claimStatement(limit, leaseMs, perEndpoint, busy));
  return rows.map((r) => ({
    id: r.id,
    endpointId: r.endpoint_id,
    eventType: r.event_type,
    body: r.body,
    attempt: r.attempts,
    url: r.url,
    method: r.method,
    secretCiphertext: r.secret_ciphertext,
  }));
}

/** The claim as one statement (exported so a test can EXPLAIN the very query the worker runs). */
export function claimStatement(limit: number, leaseMs: number, perEndpoint: number, busy: string[]) {
  return sql`
    with recursive pending_endpoints(endpoint_id) as (
      -- the endpoints with any pending delivery, one index probe each (a loose scan of
      -- webhook_deliveries_endpoint_due_idx): idle endpoints, however many, cost nothing
      (select endpoint_id from webhook_deliveries where status = 'pending' order by endpoint_id limit 1)
      union all
      select (select d.endpoint_id from webhook_deliveries d
               where d.status = 'pending' and d.endpoint_id > p.endpoint_id
               order by d.endpoint_id limit 1)
        from pending_endpoints p where p.endpoint_id is not null
    ), due_by_endpoint as (
      -- each active endpoint's earliest perEndpoint due deliveries, through the same index: the
      -- cost does not grow with a dead endpoint's backlog
      select c.id, c.next_attempt_at
        from pending_endpoints p
        join webhook_endpoints e on e.id = p.endpoint_id
        cross join lateral (
          select d.id, d.next_attempt_at from webhook_deliveries d
           where d.endpoint_id = e.id and d.status = 'pending' and d.next_attempt_at <= now()
           order by d.next_attempt_at
           limit ${perEndpoint}
        ) c
       where e.active and not (e.id = any(string_to_array(${busy.join(",")}, ',')))
    ), due as (
      select d.id from webhook_deliveries d join due_by_endpoint r on r.id = d.id
       where d.status = 'pending' and d.next_attempt_at <= now()
       order by r.next_attempt_at
       limit ${limit}
         for update of d skip locked
    )
    update webhook_deliveries d
       set attempts = d.attempts + 1,
           next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
      from due, webhook_endpoints e
     where d.id = due.id and e.id = d.endpoint_id
    returning d.id, d.endpoint_id, d.event_type, d.body, d.attempts, coalesce(d.url, e.url) as url,
              e.method, e.secret_ciphertext`;
}

export interface AttemptResult {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  responseExcerpt: string | null;
}

/** Logs the attempt and moves the delivery on: delivered, due again after `retryInMs`, or failed. */
export async function finishAttempt(
  db: Db,
  c: Claimed,
  result: AttemptResult,
  outcome: { delivered: true } | { delivered: false; retryInMs: number | null },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(webhookAttempts)
      .values({ deliveryId: c.id, attempt: c.attempt, ...result })
      .onConflictDoNothing();
    const status = outcome.delivered ? "delivered" : outcome.retryInMs === null ? "failed" : "pending";
    await tx
      .update(webhookDeliveries)
      .set({
        status,
        lastStatusCode: result.statusCode,
        lastError: result.error,
        deliveredAt: outcome.delivered ? sql`now()` : null,
        nextAttemptAt:
          !outcome.delivered && outcome.retryInMs !== null
            ? sql`now() + make_interval(secs => ${outcome.retryInMs / 1000})`
            : sql`now()`,
      })
      // Only while this attempt still holds it: a redelivery asked for meanwhile is not undone.
      .where(and(eq(webhookDeliveries.id, c.id), eq(webhookDeliveries.attempts, c.attempt)));
  });
}
