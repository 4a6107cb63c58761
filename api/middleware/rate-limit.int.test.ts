// Rate limits against a real Redis (127.0.0.1:6380, started by the integration tier; a Redis that does
// not answer fails these tests): two app instances with their own connections stand for two API
// processes sharing one budget.
import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../actors/platform/logger.ts";
import type { ApiDeps } from "../deps.ts";
import { type ApiError, problem } from "../problem.ts";
import { rateLimit } from "./rate-limit.ts";

const URL = process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380";
const clients: Redis[] = [];

function apiProcess(prefix: string, limits = { perSec: 1, burst: 5 }) {
  const redis = new Redis(URL);
  clients.push(redis);
  const deps = {
    redis,
    logger: createLogger("test", "silent"),
    config: { rateLimits: { default: limits, offers: { perSec: 10, burst: 20 } } },
  } as unknown as ApiDeps;
  const app = new Hono();
  app.use(async (c, next) => {
    c.set("principal", { keyId: c.req.header("x-key") ?? "key_a", role: "admin", accountId: null });
    await next();
  });
  app.use(rateLimit(deps, { prefix }));
  app.get("/v1/things", (c) => c.json({ ok: true }));
  app.post("/v1/calls", (c) => c.json({ ok: true }, 201));
  app.onError((err, c) => problem(c, err as ApiError));
  return app;
}

afterAll(async () => {
  for (const c of clients) c.disconnect();
});

describe("rate limits on Redis", () => {
  it("allows the burst, then answers 429 rate_limited with Retry-After and RateLimit headers", async () => {
    const app = apiProcess(`test:rl:${randomUUID()}`);
    const first = await app.request("/v1/things");
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit-limit")).toBe("5");
    expect(first.headers.get("ratelimit-remaining")).toBe("4");
    for (let i = 0; i < 4; i++) expect((await app.request("/v1/things")).status).toBe(200);
    const refused = await app.request("/v1/things");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(refused.headers.get("retry-after")).toBe("1"); // one token a second
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect(((await refused.json()) as { code: string }).code).toBe("rate_limited");
  });

  it("holds one budget per key across API processes", async () => {
    const prefix = `test:rl:${randomUUID()}`;
    const [p1, p2] = [apiProcess(prefix), apiProcess(prefix)];
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await (i % 2 ? p2 : p1).request("/v1/things")).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // another key has its own budget
    expect((await p2.request("/v1/things", { headers: { "x-key": "key_b" } })).status).toBe(200);
  });

  it("keeps a separate, higher budget for offers", async () => {
    const app = apiProcess(`test:rl:${randomUUID()}`);
    for (let i = 0; i < 5; i++) await app.request("/v1/things");
    expect((await app.request("/v1/things")).status).toBe(429);
    const offer = await app.request("/v1/calls", { method: "POST" });
    expect(offer.status).toBe(201);
    expect(offer.headers.get("ratelimit-limit")).toBe("20");
  });

  it("refills at the configured rate", async () => {
    const app = apiProcess(`test:rl:${randomUUID()}`, { perSec: 20, burst: 2 });
    await app.request("/v1/things");
    await app.request("/v1/things");
    expect((await app.request("/v1/things")).status).toBe(429);
    await new Promise((r) => setTimeout(r, 120));
    expect((await app.request("/v1/things")).status).toBe(200);
  });
});
