// The webhook sender: claims due deliveries, POSTs each signed body to its endpoint, and records the
// outcome. Woken by NOTIFY when deliveries are enqueued, and by a poll for retries falling due. Several
// workers (one per events-app process) share the queue safely through SKIP LOCKED claims.

import type { Sql } from "postgres";
import { egressSend, type Resolve, TimeoutError } from "../../actors/platform/egress.ts";
import type { Logger } from "../../actors/platform/logger.ts";
import type { PiiKeyring } from "../../actors/platform/pii-keys.ts";
import type { Db } from "../db/client.ts";
import type { BreakerPolicy, RetryPolicy } from "./rules.ts";
import { signature } from "./rules.ts";
import { openSecret } from "./secrets.ts";
import { type AttemptResult, type Claimed, claimDue, finishAttempt, WAKE_CHANNEL } from "./store.ts";

export interface WorkerOptions extends RetryPolicy {
  /** When an endpoint is suspended and how it is probed (api/webhooks/rules.ts). */
  breaker: BreakerPolicy;
  pii: PiiKeyring;
  timeoutMs: number;
  /** The local-stack switch: endpoints may be http and on loopback; never in production. */
  allowLocal: boolean;
  /** Name resolution for the egress guard (tests map names to loopback); the system's by default. */
  resolve?: Resolve;
  /** How often due retries are looked for when nothing wakes the worker. */
  pollMs: number;
  /** Attempts in flight at once, and at most this many of them to any one endpoint. */
  batch: number;
  perEndpoint: number;
  now?: () => number;
  random?: () => number;
}

/** A URL's host (and port) only, for logs. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(unparsable url)";
  }
}

export function webhookWorker(db: Db, sql: Sql, logger: Logger, opts: WorkerOptions) {
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  let running = false;
  let stopped = false;
  let again = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let listening: { unlisten(): Promise<void> } | undefined;
  const idle: (() => void)[] = [];

  async function attempt(c: Claimed): Promise<void> {
    const started = now();
    let result: AttemptResult;
    try {
      const secret = openSecret(opts.pii, c.secretCiphertext);
      const get = c.method === "GET"; // a GET pixel: the URL carries everything, no body to sign
      const res = await egressSend(
        c.url,
        {
          method: c.method,
          headers: {
            ...(get ? {} : { "content-type": "application/json" }),
            "user-agent": "dependable-call-exchange-webhooks/1",
            "x-dce-event": c.eventType,
            "x-dce-delivery": c.id,
            "x-dce-attempt": String(c.attempt),
            ...(get ? {} : { "x-dce-signature": signature(secret, c.body, Math.floor(now() / 1000)) }),
          },
          body: get ? "" : c.body,
          timeoutMs: opts.timeoutMs,
          maxBytes: 512, // the excerpt kept in the attempt log
        },
        { allowLocal: opts.allowLocal, resolve: opts.resolve },
      );
      result = {
        statusCode: res.status,
        error: null,
        durationMs: Math.round(now() - started),
        responseExcerpt: res.text || null,
      };
    } catch (err) {
      const e = err as Error & { code?: string };
      const error = e instanceof TimeoutError ? e.message : (e.code ?? e.message);
      result = { statusCode: null, error, durationMs: Math.round(now() - started), responseExcerpt: null };
    }
    const done = await finishAttempt(db, c, result, {
      retry: opts,
      breaker: opts.breaker,
      nowMs: now(),
      random: random(),
    });
    const log = {
      deliveryId: c.id,
      endpointId: c.endpointId,
      attempt: c.attempt,
      status: result.statusCode,
      ...(c.probe ? { probe: true } : {}),
    };
    if (done.outcome === "delivered") logger.info(log, "webhooks.delivered");
    else if (done.outcome === "give_up") logger.warn({ ...log, error: result.error }, "webhooks.gave_up");
    else if (done.outcome === "hold") logger.info({ ...log, error: result.error }, "webhooks.held");
    else logger.info({ ...log, error: result.error, retryInMs: done.retryInMs }, "webhooks.retry_scheduled");
    const ep = done.endpoint;
    if (done.change && ep) {
      // The host alone: a partner's URL may carry a token in its path or query.
      const facts = { endpointId: ep.id, accountId: ep.accountId, host: hostOf(c.url) };
      if (done.change === "suspended")
        logger.warn(
          {
            ...facts,
            consecutiveFailures: ep.consecutiveFailures,
            failingSince: ep.failingSince,
            lastStatusCode: ep.lastFailureStatusCode,
            lastError: ep.lastFailureError,
            nextProbeAt: ep.nextProbeAt,
          },
          "webhooks.suspended",
        );
      else logger.info(facts, "webhooks.recovered");
    }
  }

  /**
   * Drains everything due now with up to `batch` attempts in flight, claiming more as each finishes,
   * at most `perEndpoint` in flight per endpoint: a receiver that hangs until the timeout holds its
   * own slots, not everyone's. A wake-up during a drain runs another pass right after it.
   */
  async function drain(): Promise<void> {
    if (running) {
      again = true;
      wake?.(); // a drain waiting on slow attempts looks for the new deliveries now
      return;
    }
    running = true;
    const inflight = new Map<Promise<void>, string>(); // attempt → endpoint id
    try {
      do {
        again = false;
        for (;;) {
          if (stopped) break;
          const free = opts.batch - inflight.size;
          let claimed: Claimed[] = [];
          if (free > 0) {
            const perEndpoint = new Map<string, number>();
            for (const ep of inflight.values()) perEndpoint.set(ep, (perEndpoint.get(ep) ?? 0) + 1);
            const full = [...perEndpoint].filter(([, n]) => n >= opts.perEndpoint).map(([ep]) => ep);
            claimed = await claimDue(db, free, opts.timeoutMs + 30_000, opts.perEndpoint, full);
            for (const c of claimed) {
              const p: Promise<void> = attempt(c)
                .catch((err) => logger.error({ err, deliveryId: c.id }, "webhooks.attempt_failed"))
                .finally(() => inflight.delete(p));
              inflight.set(p, c.endpointId);
            }
          }
          if (inflight.size === 0) break;
          if (claimed.length === 0 || inflight.size >= opts.batch) {
            const woken = new Promise<void>((r) => {
              wake = r;
            });
            await Promise.race([...inflight.keys(), woken]);
            wake = undefined;
          }
        }
      } while (again && !stopped);
    } catch (err) {
      logger.warn({ err }, "webhooks.drain_failed"); // Postgres away: the next poll tries again
    } finally {
      await Promise.allSettled(inflight.keys());
      running = false;
      for (const f of idle.splice(0)) f();
    }
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(async () => {
      await drain();
      schedule();
    }, opts.pollMs);
  };

  return {
    async start() {
      listening = await sql
        .listen(WAKE_CHANNEL, () => void drain())
        .catch((err) => {
          logger.warn({ err }, "webhooks.listen_failed_polling_only");
          return undefined;
        });
      schedule();
      void drain();
    },
    async stop() {
      stopped = true;
      wake?.();
      clearTimeout(timer);
      await listening?.unlisten().catch(() => undefined);
      if (running) await new Promise<void>((r) => idle.push(r));
    },
    drain,
  };
}
