// The webhook breaker through the real stack (locally: 5 failures in a row over 2 s suspend, probes
// from 2 s, see dapr.yaml): a buyer's endpoint whose receiver answers 500 is suspended and says why
// in its view; the operator finds it with ?health=suspended; the buyer's POST …/resume probes it at
// once after the receiver recovers, and the held deliveries all arrive; resume is idempotent and
// private to the endpoint's account. Both changes are on the audit chain.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { buyerKey } from "./bidders.ts";
import { call, createBuyer, waitFor } from "./client.ts";

let healthy = false;
const received: { id: string; status: number }[] = [];
const server = createServer(async (req, res) => {
  let body = "";
  for await (const chunk of req) body += chunk;
  const status = healthy ? 204 : 500;
  received.push({ id: (JSON.parse(body) as { id: string }).id, status });
  res.writeHead(status).end();
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

interface Health {
  state: string;
  consecutiveFailures: number;
  lastFailureAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  suspendedAt: string | null;
  nextProbeAt: string | null;
}
interface Hook {
  id: string;
  health: Health;
}

describe("a failing webhook endpoint", () => {
  it("is suspended with its reasons in the view, listed for the operator, and resumed by its owner with nothing lost", async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dce`;
    const buyerId = await createBuyer(0);
    const key = await buyerKey(buyerId);
    const created = await call<Hook>("POST", "/v1/webhooks", {
      key,
      body: { url, eventTypes: ["call.billable"] },
    });
    expect(created.status).toBe(201);
    expect(created.body.health).toEqual({
      state: "healthy",
      consecutiveFailures: 0,
      lastFailureAt: null,
      lastStatusCode: null,
      lastError: null,
      suspendedAt: null,
      nextProbeAt: null,
    });
    const id = created.body.id;
    const tests: string[] = [];
    for (let i = 0; i < 4; i++) {
      const t = await call<{ eventId: string }>("POST", `/v1/webhooks/${id}/test`, { key });
      expect(t.status).toBe(201);
      tests.push(t.body.eventId);
    }
    const view = () => call<Hook>("GET", `/v1/webhooks/${id}`, { key });
    const suspended = await waitFor(view, (r) => r.body.health?.state === "suspended", 30_000);
    expect(suspended.body.health).toMatchObject({ state: "suspended", lastStatusCode: 500, lastError: null });
    expect(suspended.body.health.consecutiveFailures).toBeGreaterThanOrEqual(5);
    expect(Date.parse(suspended.body.health.nextProbeAt!)).toBeGreaterThan(
      Date.parse(suspended.body.health.suspendedAt!),
    );

    // The operator's list of suspended endpoints has it; the healthy list does not.
    const ids = async (q: string) =>
      (await call<{ items: Hook[] }>("GET", `/v1/webhooks?${q}`)).body.items.map((h) => h.id);
    expect(await ids("health=suspended")).toContain(id);
    expect(await ids("health=healthy")).not.toContain(id);
    // Another account cannot resume it (nor learn that it exists).
    const other = await buyerKey(await createBuyer(0));
    const foreign = await call<{ code: string }>("POST", `/v1/webhooks/${id}/resume`, { key: other });
    expect([foreign.status, foreign.body.code]).toEqual([404, "webhook_unknown"]);

    // An event happening while suspended is still enqueued (and held).
    const late = await call<{ eventId: string; status: string }>("POST", `/v1/webhooks/${id}/test`, { key });
    expect(late.body.status).toBe("pending");
    tests.push(late.body.eventId);

    healthy = true;
    const resumed = await call<Hook>("POST", `/v1/webhooks/${id}/resume`, { key });
    expect(resumed.status).toBe(200);
    expect(resumed.body.health.state).toBe("suspended"); // until the probe is delivered
    const recovered = await waitFor(view, (r) => r.body.health?.state === "healthy", 15_000);
    expect(recovered.body.health).toMatchObject({
      consecutiveFailures: 0,
      suspendedAt: null,
      nextProbeAt: null,
    });
    const deliveries = await waitFor(
      () =>
        call<{ items: { eventId: string; status: string }[] }>("GET", `/v1/webhooks/${id}/deliveries`, {
          key,
        }),
      (r) => r.body.items.length === 5 && r.body.items.every((d) => d.status === "delivered"),
      15_000,
    );
    expect(deliveries.body.items.map((d) => d.status)).toEqual(Array(5).fill("delivered"));
    const accepted = received.filter((r) => r.status === 204).map((r) => r.id);
    expect(new Set(accepted)).toEqual(new Set(tests)); // every one, the held and the late
    expect(await ids("health=suspended")).not.toContain(id);

    // Resuming a healthy endpoint changes nothing.
    const again = await call<Hook>("POST", `/v1/webhooks/${id}/resume`, { key });
    expect([again.status, again.body.health.state]).toEqual([200, "healthy"]);

    // Both changes are audited domain events of the endpoint.
    const audit = await call<{ items: { type: string }[] }>("GET", `/v1/audit?aggregateId=${id}&limit=10`);
    const types = audit.body.items.map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(["webhook.suspended", "webhook.recovered"]));
  }, 90_000);
});
