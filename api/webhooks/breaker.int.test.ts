// The endpoint breaker against real Postgres and a real receiver on 127.0.0.1 that fails, then
// recovers: the endpoint is suspended after its run of failures, only probed while suspended (counted
// at the receiver), deliveries enqueued meanwhile are kept and none is given up, and once a probe is
// answered the whole backlog is delivered, each delivery once, in enqueue order. The change is a domain
// event on the audit chain and a log line naming the host, never the URL's path or token.
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PiiKeyring } from "../../actors/platform/pii-keys.ts";
import { capturingLogger } from "../../actors/platform/test-logger.ts";
import type { Db } from "../db/client.ts";
import { auditLog } from "../db/compliance-schema.ts";
import { domainEvents } from "../db/schema.ts";
import { throwawayDatabase } from "../db/test-database.ts";
import { webhookDeliveries, webhookEndpoints } from "../db/webhook-schema.ts";
import type { WebhookPayload } from "./rules.ts";
import { sealSecret } from "./secrets.ts";
import { enqueue, resumeEndpoint } from "./store.ts";
import { addEndpoint, until } from "./test-support.ts";
import { webhookWorker } from "./worker.ts";

const pii = new PiiKeyring(randomBytes(32), [{ id: "k1", secret: randomBytes(32) }]);
const { logger, lines } = capturingLogger();

// Each delivery's own rule would give it up after 4 attempts; the breaker trips after 5 failures in a
// row spanning 200 ms and probes after 300 ms, doubling to 1.2 s.
const options = {
  baseMs: 100,
  maxDelayMs: 400,
  maxAttempts: 4,
  timeoutMs: 1_000,
  pollMs: 25,
  batch: 4,
  perEndpoint: 1,
  breaker: { failures: 5, minFailingMs: 200, probeBaseMs: 300, probeMaxMs: 1_200 },
  allowLocal: true,
  pii,
};

let handle: Awaited<ReturnType<typeof throwawayDatabase>>;
let db: Db;

beforeAll(async () => {
  handle = await throwawayDatabase("webhook_breaker");
  db = handle.db;
}, 60_000);

afterAll(() => handle?.drop());

/** A receiver answering 500 until `recover()`, then 200; it notes each request's time and event. */
async function flakyReceiver() {
  const got: { at: number; n: number; status: number }[] = [];
  let healthy = false;
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const status = healthy ? 200 : 500;
    got.push({ at: Date.now(), n: (JSON.parse(body) as { data: { n: number } }).data.n, status });
    res.writeHead(status).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    // A token in the path and query, as partners' URLs may carry: it must never reach a log line.
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/tok_s3cret?key=k_s3cret`,
    got,
    recover: () => {
      healthy = true;
    },
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const endpoint = (url: string) => addEndpoint(db, url, sealSecret(pii, "whsec_breaker"));

const payload = (n: number): WebhookPayload => ({
  id: `evt_${n}_${randomBytes(4).toString("hex")}`,
  type: "call.billable",
  occurredAt: new Date().toISOString(),
  data: { n },
});

/** Enqueues deliveries `from`..`to`, one transaction each, so each has its own enqueue time. */
async function enqueueRange(ep: string, from: number, to: number) {
  for (let n = from; n <= to; n++) await enqueue(db, [{ endpointId: ep, payload: payload(n) }]);
}

const endpointRow = async (id: string) =>
  (await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)))[0]!;
const deliveriesOf = (id: string) =>
  db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.endpointId, id))
    .orderBy(webhookDeliveries.seq);

describe("the endpoint breaker", () => {
  it("suspends a failing endpoint, only probes it, keeps every delivery, and delivers the backlog in order once it answers", async () => {
    const r = await flakyReceiver();
    const worker = webhookWorker(db, handle.sql, logger, options);
    try {
      const ep = await endpoint(r.url);
      await enqueueRange(ep, 1, 20);
      await worker.start();
      const suspended = await until("suspended", async () => {
        const row = await endpointRow(ep);
        return row.suspendedAt ? row : undefined;
      });
      expect(suspended).toMatchObject({ lastFailureStatusCode: 500, lastFailureError: null });
      expect(suspended.consecutiveFailures).toBeGreaterThanOrEqual(5);
      const suspendedAt = Date.parse(suspended.suspendedAt!);
      // Deliveries of events happening meanwhile are still enqueued: nothing is lost.
      await enqueueRange(ep, 21, 40);
      expect(await deliveriesOf(ep)).toHaveLength(40);

      // 2.2 s of suspension: probes at +0.3 s, then 0.6 s later, then 1.2 s later — 3 requests at most,
      // where the retries would have made dozens.
      await new Promise((res) => setTimeout(res, 2_200));
      const whileSuspended = r.got.filter((g) => g.at > suspendedAt + 50);
      expect(whileSuspended.length).toBeGreaterThanOrEqual(2);
      expect(whileSuspended.length).toBeLessThanOrEqual(3);
      const gaps = whileSuspended.slice(1).map((g, i) => g.at - whileSuspended[i]!.at);
      expect(gaps[0]).toBeGreaterThanOrEqual(600 - 50);
      // The probe is the oldest delivery; none was given up, however many attempts its probes took.
      expect(new Set(whileSuspended.map((g) => g.n))).toEqual(new Set([1]));
      const held = await deliveriesOf(ep);
      expect(held.filter((d) => d.status !== "pending")).toEqual([]);
      // its own rule gives up at attempt 4
      expect(held[0]!.attempts).toBeGreaterThanOrEqual(options.maxAttempts);
      expect(held.slice(20).every((d) => d.attempts === 0)).toBe(true);

      r.recover();
      const done = await until("all delivered", async () => {
        const rows = await deliveriesOf(ep);
        return rows.every((d) => d.status === "delivered") ? rows : undefined;
      });
      expect(done).toHaveLength(40);
      const ok = r.got.filter((g) => g.status === 200).map((g) => g.n);
      expect(ok).toEqual(Array.from({ length: 40 }, (_, i) => i + 1)); // each once, in enqueue order
      expect(done.slice(20).every((d) => d.attempts === 1)).toBe(true);
      expect(await endpointRow(ep)).toMatchObject({
        suspendedAt: null,
        consecutiveFailures: 0,
        nextProbeAt: null,
        lastFailureStatusCode: 500, // the last failure stays on record
      });

      // Both changes are domain events on the audit chain, and log lines with the host alone.
      const events = await db
        .select()
        .from(domainEvents)
        .where(and(eq(domainEvents.aggregateType, "webhook"), eq(domainEvents.aggregateId, ep)))
        .orderBy(domainEvents.occurredAt);
      expect(events.map((e) => e.type)).toEqual(["webhook.suspended", "webhook.recovered"]);
      expect(events[0]!.data).toMatchObject({ webhookId: ep, lastStatusCode: 500, by: "worker" });
      const audited = await db.select().from(auditLog).where(eq(auditLog.aggregateId, ep));
      expect(audited.map((a) => a.type).sort()).toEqual(["webhook.recovered", "webhook.suspended"]);
      const logged = lines.filter((l) => l.msg === "webhooks.suspended" || l.msg === "webhooks.recovered");
      expect(logged.map((l) => [l.msg, l.endpointId, l.host])).toEqual([
        ["webhooks.suspended", ep, new URL(r.url).host],
        ["webhooks.recovered", ep, new URL(r.url).host],
      ]);
      expect(JSON.stringify(lines)).not.toContain("s3cret");
    } finally {
      await worker.stop();
      r.close();
    }
  });

  it("a partner's resume probes a suspended endpoint at once, long before its next probe was due", async () => {
    const r = await flakyReceiver();
    // Probes an hour apart: only the resume can explain a delivery within the test.
    const worker = webhookWorker(db, handle.sql, logger, {
      ...options,
      breaker: { ...options.breaker, probeBaseMs: 3_600_000, probeMaxMs: 3_600_000 },
    });
    try {
      const ep = await endpoint(r.url);
      await enqueueRange(ep, 1, 10);
      await worker.start();
      await until("suspended", async () => ((await endpointRow(ep)).suspendedAt ? true : undefined));
      const before = r.got.length;
      await new Promise((res) => setTimeout(res, 300));
      expect(r.got.length).toBe(before); // nothing is attempted: the next probe is an hour away
      r.recover();
      const resumed = await resumeEndpoint(db, ep, Date.now());
      expect(resumed?.suspendedAt).not.toBeNull(); // still suspended until the probe is answered
      await until("all delivered", async () => {
        const rows = await deliveriesOf(ep);
        return rows.every((d) => d.status === "delivered") ? rows : undefined;
      });
      expect(r.got.filter((g) => g.status === 200).map((g) => g.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect((await endpointRow(ep)).suspendedAt).toBeNull();
      // Resuming a healthy endpoint changes nothing.
      const again = await resumeEndpoint(db, ep, Date.now());
      expect(again).toMatchObject({ suspendedAt: null, consecutiveFailures: 0 });
    } finally {
      await worker.stop();
      r.close();
    }
  });
});
