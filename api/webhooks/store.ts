// Webhook deliveries in Postgres: enqueued in the transaction that records the event (so an event is
// never recorded without its deliveries, nor delivered twice to one endpoint), claimed by workers with
// FOR UPDATE SKIP LOCKED under a lease, and finished with one row per HTTP attempt.
import { and, eq, type SQL, sql } from "drizzle-orm";
import { type DomainEvent, domainEvent } from "../../actors/kernel/events.ts";
import { newId } from "../../actors/kernel/ids.ts";
import { recordAudited } from "../audit/audit-log.ts";
import type { Db } from "../db/client.ts";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "../db/webhook-schema.ts";
import type { Tx } from "../ledger/ledger.ts";
import { pixelDelivery } from "../pixels/render.ts";
import {
  afterFailure,
  audiences,
  type BreakerChange,
  type BreakerPolicy,
  breakerAfter,
  campaignsOf,
  delivered,
  type EndpointHealth,
  isWebhookEventType,
  payloadFor,
  type RetryPolicy,
  resumed,
  type WebhookPayload,
} from "./rules.ts";

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
  /** The one attempt a suspended endpoint gets per probe interval. */
  probe: boolean;
}

/**
 * Takes up to `limit` due deliveries of active endpoints, at most `perEndpoint` of any one endpoint
 * (so a slow or dead endpoint's backlog cannot take every slot from the others), skipping those
 * `busy` already. A suspended endpoint gives only its probe, when due, and its next probe is leased
 * out too. Each claim counts an attempt and pushes the delivery's due time out by `leaseMs`: a worker
 * that dies mid-attempt leaves it to be retried then.
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
    probe: boolean;
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
    probe: r.probe,
  }));
}

/** An endpoint's `n` earliest due deliveries (a walk of webhook_deliveries_endpoint_due_idx). */
const earliestDue = (endpoint: SQL, n: number) => sql`
  select d.id from webhook_deliveries d
   where d.endpoint_id = ${endpoint} and d.status = 'pending' and d.next_attempt_at <= now()
   order by d.next_attempt_at
   limit ${n}`;

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
    ), probes as (
      -- suspended endpoints whose probe is due and that have something to send (few: the partial
      -- index on next_probe_at), locked so that of concurrent claims one alone takes the probe
      select e.id from webhook_endpoints e
       where e.suspended_at is not null and e.next_probe_at <= now() and e.active
         and e.id in (select endpoint_id from pending_endpoints)
         and not (e.id = any(string_to_array(${busy.join(",")}, ',')))
         for no key update of e skip locked
    ), due_by_endpoint as (
      -- each active endpoint's earliest perEndpoint due deliveries, through the same index: the
      -- cost does not grow with a dead endpoint's backlog; a suspended endpoint's backlog is not read
      -- at all, but for the one delivery of a due probe
      select c.id
        from pending_endpoints p
        join webhook_endpoints e on e.id = p.endpoint_id
        cross join lateral (${earliestDue(sql`e.id`, perEndpoint)}) c
       where e.active and e.suspended_at is null
         and not (e.id = any(string_to_array(${busy.join(",")}, ',')))
      union all
      select c.id
        from probes pr cross join lateral (${earliestDue(sql`pr.id`, 1)}) c
    ), due as (
      -- locked through the primary key (an array of the few ids, whatever the planner guesses of them)
      select d.id, d.endpoint_id, d.endpoint_id = any(array(select id from probes)) as probe
        from webhook_deliveries d
       where d.id = any(array(select id from due_by_endpoint))
         and d.status = 'pending' and d.next_attempt_at <= now()
       order by d.next_attempt_at
       limit ${limit}
         for update of d skip locked
    ), probing as (
      -- the probe's lease: no other probe until this one has answered (or its worker's lease ran out)
      update webhook_endpoints e set next_probe_at = now() + make_interval(secs => ${leaseMs / 1000})
       where e.id = any(array(select endpoint_id from due where probe))
    )
    update webhook_deliveries d
       set attempts = d.attempts + 1,
           next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
      from due, webhook_endpoints e
     where d.id = due.id and e.id = d.endpoint_id
    returning d.id, d.endpoint_id, d.event_type, d.body, d.attempts, coalesce(d.url, e.url) as url,
              e.method, e.secret_ciphertext, due.probe`;
}

export interface AttemptResult {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  responseExcerpt: string | null;
}

type EndpointRow = typeof webhookEndpoints.$inferSelect;

const ms = (t: string | null) => (t === null ? null : Date.parse(t));
const ts = (m: number | null) => (m === null ? null : new Date(m).toISOString());

/** The breaker state of an endpoint row, for the pure rules. */
export const healthOf = (r: EndpointRow): EndpointHealth => ({
  consecutiveFailures: r.consecutiveFailures,
  failingSinceMs: ms(r.failingSince),
  suspendedAtMs: ms(r.suspendedAt),
  failedProbes: r.failedProbes,
  nextProbeAtMs: ms(r.nextProbeAt),
});

const healthColumns = (h: EndpointHealth) => ({
  consecutiveFailures: h.consecutiveFailures,
  failingSince: ts(h.failingSinceMs),
  suspendedAt: ts(h.suspendedAtMs),
  failedProbes: h.failedProbes,
  nextProbeAt: ts(h.nextProbeAtMs),
});

/** The endpoint locked for a change of its breaker state (not blocking enqueues, which key-share it). */
async function lockEndpoint(tx: Tx, id: string): Promise<EndpointRow | undefined> {
  const [row] = await tx
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.id, id))
    .for("no key update");
  return row;
}

/** The breaker's state changes as domain events: recorded and audited like the exchange's others. */
export function breakerEvent(
  type: "webhook.suspended" | "webhook.recovered",
  r: EndpointRow,
  atMs: number,
  by: string,
) {
  return domainEvent(type, { type: "webhook", id: r.id }, String(atMs), atMs, {
    webhookId: r.id,
    accountId: r.accountId,
    kind: r.kind,
    by,
    consecutiveFailures: r.consecutiveFailures,
    failingSince: r.failingSince,
    lastFailureAt: r.lastFailureAt,
    lastStatusCode: r.lastFailureStatusCode,
    lastError: r.lastFailureError,
    suspendedAt: r.suspendedAt,
    nextProbeAt: r.nextProbeAt,
  });
}

export interface AttemptRules {
  retry: RetryPolicy;
  breaker: BreakerPolicy;
  nowMs: number;
  random: number;
}

export interface Finished {
  outcome: "delivered" | "retry" | "give_up" | "hold";
  retryInMs: number | null;
  change: BreakerChange;
  /** The endpoint as the attempt left it (undefined: deleted meanwhile). */
  endpoint: EndpointRow | undefined;
}

/**
 * Logs the attempt, moves the endpoint's breaker on, and moves the delivery on: delivered, due again
 * after a backoff, given up, or (its endpoint suspended) held in its place in the queue. A breaker
 * that opens or closes is recorded as a domain event and audited in the same transaction.
 */
export async function finishAttempt(
  db: Db,
  c: Claimed,
  result: AttemptResult,
  rules: AttemptRules,
): Promise<Finished> {
  const ok = delivered(result.statusCode);
  return db.transaction(async (tx) => {
    // A delivered attempt of an endpoint with no failures behind it leaves the breaker as it is: no
    // lock, no write (the common case stays as cheap as before). The endpoint is locked before the
    // attempt row key-shares the delivery, in the order an endpoint's delete takes them.
    const seen = ok
      ? (await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, c.endpointId)))[0]
      : undefined;
    const clean = seen !== undefined && seen.consecutiveFailures === 0 && seen.suspendedAt === null;
    let endpoint = clean ? seen : await lockEndpoint(tx, c.endpointId);
    await tx
      .insert(webhookAttempts)
      .values({ deliveryId: c.id, attempt: c.attempt, ...result })
      .onConflictDoNothing();
    let change: BreakerChange = null;
    if (endpoint && !clean) {
      const next = breakerAfter(rules.breaker, healthOf(endpoint), ok, rules.nowMs);
      change = next.change;
      const [updated] = await tx
        .update(webhookEndpoints)
        .set({
          ...healthColumns(next.health),
          ...(ok
            ? {}
            : {
                lastFailureAt: ts(rules.nowMs),
                lastFailureStatusCode: result.statusCode,
                lastFailureError: result.error,
              }),
        })
        .where(eq(webhookEndpoints.id, endpoint.id))
        .returning();
      endpoint = updated;
      if (change && updated)
        await recordAudited(tx, [breakerEvent(`webhook.${change}`, updated, rules.nowMs, "worker")]);
      // Suspended: deliveries waiting out a retry's backoff go back to their enqueue place, so the
      // probes take the oldest and the backlog flows in order once it recovers. Once per suspension,
      // and only the few that were tried move (the rest never left their place); one whose attempt
      // is still under way (no log row for it yet) keeps its lease.
      if (change === "suspended")
        await tx.execute(sql`
          update ${webhookDeliveries} d set next_attempt_at = d.created_at
           where d.endpoint_id = ${c.endpointId} and d.status = 'pending' and d.next_attempt_at > d.created_at
             and d.id <> ${c.id}
             and exists (select 1 from ${webhookAttempts} a where a.delivery_id = d.id and a.attempt = d.attempts)`);
    }
    const suspended = endpoint?.suspendedAt != null;
    const after = ok ? null : afterFailure(rules.retry, c.attempt, suspended, rules.random);
    const outcome = after === null ? "delivered" : after.kind;
    const retryInMs = after?.kind === "retry" ? after.delayMs : null;
    await tx
      .update(webhookDeliveries)
      .set({
        status: outcome === "delivered" ? "delivered" : outcome === "give_up" ? "failed" : "pending",
        lastStatusCode: result.statusCode,
        lastError: result.error,
        deliveredAt: ok ? sql`now()` : null,
        nextAttemptAt:
          retryInMs !== null
            ? sql`now() + make_interval(secs => ${retryInMs / 1000})`
            : // held: back to its place in the endpoint's queue (enqueue order), for the probes
              outcome === "hold"
              ? sql`${webhookDeliveries.createdAt}`
              : sql`now()`,
      })
      // Only while this attempt still holds it: a redelivery asked for meanwhile is not undone.
      .where(and(eq(webhookDeliveries.id, c.id), eq(webhookDeliveries.attempts, c.attempt)));
    return { outcome, retryInMs, change, endpoint };
  });
}

/**
 * A partner's resume: a suspended endpoint is probed at once (its probe delay starting over), and a
 * delivered probe closes the breaker. Idempotent; a healthy endpoint is left as it is.
 */
export async function resumeEndpoint(db: Db, id: string, nowMs: number): Promise<EndpointRow | undefined> {
  const row = await db.transaction(async (tx) => {
    const r = await lockEndpoint(tx, id);
    if (!r || r.suspendedAt === null) return r;
    const [updated] = await tx
      .update(webhookEndpoints)
      .set(healthColumns(resumed(healthOf(r), nowMs)))
      .where(eq(webhookEndpoints.id, id))
      .returning();
    return updated;
  });
  if (row?.suspendedAt) await wakeWorkers(db);
  return row;
}
