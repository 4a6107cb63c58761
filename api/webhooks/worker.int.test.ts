// The webhook sender against real Postgres (a throwaway database of its own, so the running stack's
// sender never takes these deliveries) and real HTTP receivers on 127.0.0.1: signed bodies, retries
// with backoff until the receiver recovers, giving up after the last attempt, a lease that survives a
// dead worker, and two workers that never deliver one delivery twice.
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../actors/platform/logger.ts";
import { PiiKeyring } from "../../actors/platform/pii-keys.ts";
import type { Db } from "../db/client.ts";
import { throwawayDatabase } from "../db/test-database.ts";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "../db/webhook-schema.ts";
import { verifySignature, type WebhookPayload } from "./rules.ts";
import { sealSecret } from "./secrets.ts";
import { claimDue, enqueue } from "./store.ts";
import { addEndpoint, until } from "./test-support.ts";
import { webhookWorker } from "./worker.ts";

const pii = new PiiKeyring(randomBytes(32), [{ id: "k1", secret: randomBytes(32) }]);
const logger = createLogger("webhooks-test", "silent");
const policy = {
  baseMs: 50,
  maxDelayMs: 400,
  maxAttempts: 4,
  timeoutMs: 1_000,
  pollMs: 25,
  batch: 8,
  perEndpoint: 8,
  // The production breaker: no test here fails an endpoint 10 times over 5 minutes (breaker.int.test.ts)
  breaker: { failures: 10, minFailingMs: 300_000, probeBaseMs: 60_000, probeMaxMs: 3_600_000 },
  allowLocal: true,
};

let handle: Awaited<ReturnType<typeof throwawayDatabase>>;
let db: Db;

beforeAll(async () => {
  handle = await throwawayDatabase("webhooks");
  db = handle.db;
}, 60_000);

afterEach(async () => {
  // Each test's endpoints stop here, so their pending retries do not meet the next test's claims.
  await db?.update(webhookEndpoints).set({ active: false });
});

afterAll(() => handle?.drop());

interface Received {
  body: string;
  headers: IncomingMessage["headers"];
}

/** A receiver answering each request with the next status of `script` (the last one repeats). */
async function receiver(script: (number | "hang")[]) {
  const received: Received[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    received.push({ body, headers: req.headers });
    const step = script[Math.min(received.length - 1, script.length - 1)]!;
    if (step === "hang") return; // never answers: the sender's timeout ends the attempt
    res.writeHead(step, { "content-type": "text/plain" }).end(`answer ${received.length}`);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const endpoint = (url: string, secret = "whsec_test") => addEndpoint(db, url, sealSecret(pii, secret));

const payload = (n: number): WebhookPayload => ({
  id: `evt_${n}_${randomBytes(4).toString("hex")}`,
  type: "call.billable",
  occurredAt: new Date().toISOString(),
  data: { callId: `call_${n}`, chargedMicros: 1_000_000 },
});

const deliveryOf = async (endpointId: string) =>
  (await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId)))[0]!;
const attemptsOf = (deliveryId: string) =>
  db
    .select()
    .from(webhookAttempts)
    .where(eq(webhookAttempts.deliveryId, deliveryId))
    .orderBy(webhookAttempts.attempt);

describe("webhook sender", () => {
  it("retries a failing receiver with growing delays until it answers 2xx; every attempt is signed and logged", async () => {
    const r = await receiver([500, 503, 200]);
    const worker = webhookWorker(db, handle.sql, logger, { ...policy, pii, random: () => 1 });
    try {
      const ep = await endpoint(r.url, "whsec_retry");
      const p = payload(1);
      await enqueue(db, [{ endpointId: ep, payload: p }]);
      await worker.start();
      const d = await until("delivered", async () => {
        const row = await deliveryOf(ep);
        return row.status === "delivered" ? row : undefined;
      });
      expect(d).toMatchObject({ attempts: 3, lastStatusCode: 200, lastError: null });
      expect(r.received).toHaveLength(3);
      for (const [i, got] of r.received.entries()) {
        expect(got.body).toBe(JSON.stringify(p));
        expect(got.headers).toMatchObject({
          "content-type": "application/json",
          "x-dce-event": "call.billable",
          "x-dce-delivery": d.id,
          "x-dce-attempt": String(i + 1),
        });
        const sig = got.headers["x-dce-signature"] as string;
        expect(verifySignature("whsec_retry", got.body, sig, Math.floor(Date.now() / 1000))).toBe(true);
        expect(verifySignature("whsec_other", got.body, sig, Math.floor(Date.now() / 1000))).toBe(false);
      }
      const log = await attemptsOf(d.id);
      expect(log.map((a) => [a.attempt, a.statusCode, a.responseExcerpt])).toEqual([
        [1, 500, "answer 1"],
        [2, 503, "answer 2"],
        [3, 200, "answer 3"],
      ]);
      // Backoff: the second gap (100 ms step) is not shorter than the first (50 ms step).
      const gaps = [1, 2].map((i) => Date.parse(log[i]!.at) - Date.parse(log[i - 1]!.at));
      expect(gaps[0]).toBeGreaterThanOrEqual(50 - 5);
      expect(gaps[1]).toBeGreaterThanOrEqual(100 - 5);
    } finally {
      await worker.stop();
      r.close();
    }
  });

  it("gives up after the last attempt, with the reason of each failure in the log", async () => {
    const r = await receiver([500, "hang", 404, 410]);
    const worker = webhookWorker(db, handle.sql, logger, { ...policy, timeoutMs: 300, pii });
    try {
      const ep = await endpoint(r.url);
      await enqueue(db, [{ endpointId: ep, payload: payload(2) }]);
      await worker.start();
      const d = await until("failed", async () => {
        const row = await deliveryOf(ep);
        return row.status === "failed" ? row : undefined;
      });
      expect(d.attempts).toBe(4);
      const log = await attemptsOf(d.id);
      expect(log.map((a) => a.statusCode)).toEqual([500, null, 404, 410]);
      expect(log[1]!.error).toBe("no answer within 300 ms");
      await new Promise((res) => setTimeout(res, 300));
      expect(r.received).toHaveLength(4); // nothing after giving up
    } finally {
      await worker.stop();
      r.close();
    }
  });

  it("records an unreachable endpoint as an error, not a crash, and keeps retrying it", async () => {
    const r = await receiver([200]);
    r.close(); // nobody listens on this port any more
    const worker = webhookWorker(db, handle.sql, logger, { ...policy, pii });
    try {
      const ep = await endpoint(r.url);
      await enqueue(db, [{ endpointId: ep, payload: payload(3) }]);
      await worker.start();
      const d = await until("two attempts", async () => {
        const row = await deliveryOf(ep);
        return row.attempts >= 2 && row.lastError ? row : undefined;
      });
      expect(d.lastError).toBe("ECONNREFUSED");
      expect(d.lastStatusCode).toBeNull();
    } finally {
      await worker.stop();
    }
  });

  it("refuses internal destinations unless they are allowed (a loopback IP, localhost, a name resolving to 127.0.0.1); a name that does not resolve is an error", async () => {
    const r = await receiver([200]);
    const toLoopback = async (host: string) => {
      if (host !== "hooks.buyer.test") throw Object.assign(new Error(host), { code: "ENOTFOUND" });
      return [{ address: "127.0.0.1", family: 4 }];
    };
    const worker = webhookWorker(db, handle.sql, logger, {
      ...policy,
      allowLocal: false,
      resolve: toLoopback,
      pii,
    });
    try {
      const port = new URL(r.url).port;
      const byIp = await endpoint(r.url);
      const byName = await endpoint(`https://localhost:${port}/hook`);
      const byResolvedName = await endpoint(`https://hooks.buyer.test:${port}/hook`);
      const byUnknownName = await endpoint(`https://no-such-host.invalid:${port}/hook`);
      for (const [i, ep] of [byIp, byName, byResolvedName, byUnknownName].entries())
        await enqueue(db, [{ endpointId: ep, payload: payload(50 + i) }]);
      await worker.start();
      for (const ep of [byIp, byName, byResolvedName]) {
        const d = await until("a refused attempt", async () => {
          const row = await deliveryOf(ep);
          return row.attempts >= 1 && row.lastError ? row : undefined;
        });
        expect(d.lastError).toBe("destination_not_allowed");
      }
      const unresolvable = await until("a failed lookup", async () => {
        const row = await deliveryOf(byUnknownName);
        return row.attempts >= 1 && row.lastError ? row : undefined;
      });
      expect(unresolvable.lastError).toBe("ENOTFOUND");
      expect(r.received).toHaveLength(0);
    } finally {
      await worker.stop();
      r.close();
    }
  });

  it("never follows a redirect: a 302 is a failed attempt and the redirect's target receives nothing", async () => {
    const target = await receiver([200]);
    const redirector = createServer((req, res) => {
      req.resume();
      res.writeHead(302, { location: target.url }).end();
    });
    redirector.listen(0, "127.0.0.1");
    await once(redirector, "listening");
    const worker = webhookWorker(db, handle.sql, logger, { ...policy, pii });
    try {
      const ep = await endpoint(`http://127.0.0.1:${(redirector.address() as AddressInfo).port}/hook`);
      await enqueue(db, [{ endpointId: ep, payload: payload(60) }]);
      await worker.start();
      const d = await until("a redirected attempt", async () => {
        const row = await deliveryOf(ep);
        return row.attempts >= 1 && row.lastStatusCode ? row : undefined;
      });
      expect(d.lastStatusCode).toBe(302);
      expect(d.status).not.toBe("delivered");
      expect(target.received).toHaveLength(0);
    } finally {
      await worker.stop();
      redirector.closeAllConnections();
      redirector.close();
      target.close();
    }
  });

  it("an endpoint that hangs holds only its own slots: another endpoint's delivery, enqueued meanwhile, goes out at once", async () => {
    const hanging = await receiver(["hang"]);
    const healthy = await receiver([200]);
    const worker = webhookWorker(db, handle.sql, logger, {
      ...policy,
      batch: 4,
      perEndpoint: 2,
      timeoutMs: 3_000,
      pii,
    });
    try {
      const slow = await endpoint(hanging.url);
      const fast = await endpoint(healthy.url);
      await enqueue(
        db,
        Array.from({ length: 10 }, (_, i) => ({ endpointId: slow, payload: payload(200 + i) })),
      );
      await worker.start();
      await until("the hanging endpoint's two attempts", async () =>
        hanging.received.length === 2 ? true : undefined,
      );
      // Enqueued while the sender waits on the hanging attempts: the NOTIFY wakes it at once.
      await enqueue(db, [{ endpointId: fast, payload: payload(300) }]);
      await until("the healthy endpoint's delivery", async () =>
        healthy.received.length === 1 ? true : undefined,
      );
      // Not one of the hanging endpoint's attempts has ended yet, and it holds two connections, no more.
      const ended = await db
        .select()
        .from(webhookAttempts)
        .innerJoin(webhookDeliveries, eq(webhookAttempts.deliveryId, webhookDeliveries.id))
        .where(eq(webhookDeliveries.endpointId, slow));
      expect(ended).toHaveLength(0);
      expect(hanging.received).toHaveLength(2);
    } finally {
      await worker.stop();
      hanging.close();
      healthy.close();
    }
  });

  it("a delivery claimed by a worker that died is taken again after its lease", async () => {
    const r = await receiver([200]);
    const worker = webhookWorker(db, handle.sql, logger, { ...policy, pii });
    try {
      const ep = await endpoint(r.url);
      await enqueue(db, [{ endpointId: ep, payload: payload(4) }]);
      const [claimed] = await claimDue(db, 100, 200); // a worker claims it, then dies without an answer
      expect(claimed?.endpointId).toBe(ep);
      expect(await claimDue(db, 100, 200)).toEqual([]); // leased: nobody else takes it meanwhile
      await worker.start();
      const d = await until("delivered", async () => {
        const row = await deliveryOf(ep);
        return row.status === "delivered" ? row : undefined;
      });
      expect(d.attempts).toBe(2); // the dead worker's claim counted; its attempt left no log row
      expect((await attemptsOf(d.id)).map((a) => a.attempt)).toEqual([2]);
      expect(r.received).toHaveLength(1);
    } finally {
      await worker.stop();
      r.close();
    }
  });

  it("two workers on one queue deliver each of 60 deliveries exactly once", async () => {
    const r = await receiver([200]);
    const a = webhookWorker(db, handle.sql, logger, { ...policy, pii, batch: 4 });
    const b = webhookWorker(db, handle.sql, logger, { ...policy, pii, batch: 4 });
    try {
      const ep = await endpoint(r.url);
      await Promise.all([a.start(), b.start()]);
      const sent = Array.from({ length: 60 }, (_, i) => payload(100 + i));
      await enqueue(
        db,
        sent.map((p) => ({ endpointId: ep, payload: p })),
      );
      await until("all delivered", async () => {
        const rows = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, ep));
        return rows.length === 60 && rows.every((d) => d.status === "delivered") ? rows : undefined;
      });
      const ids = r.received.map((x) => JSON.parse(x.body).id as string);
      expect(ids).toHaveLength(60);
      expect(new Set(ids)).toEqual(new Set(sent.map((p) => p.id)));
      // The same event enqueued again for the same endpoint is not a second delivery.
      expect(await enqueue(db, [{ endpointId: ep, payload: sent[0]! }])).toBe(0);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      r.close();
    }
  });
});
