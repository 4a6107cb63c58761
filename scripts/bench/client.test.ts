// The bench client's back-off against a real loopback HTTP server that rate-limits with Retry-After.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { retryAfterMs, sendWithBackoff } from "./client.ts";

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A server answering `refusals` times with `status` + `retryAfter`, then 201; records arrival times. */
async function limiter(refusals: number, status: number, retryAfter?: string) {
  const arrivals: number[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    arrivals.push(Date.now());
    if (arrivals.length <= refusals) {
      res.writeHead(status, retryAfter === undefined ? {} : { "retry-after": retryAfter });
      res.end(JSON.stringify({ code: "rate_limited" }));
    } else {
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "b1" }));
    }
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { base: new URL(`http://127.0.0.1:${port}`), arrivals };
}

const agent = new http.Agent({ keepAlive: true });
const req = { method: "POST", path: "/v1/buyers", body: "{}" };

describe("sendWithBackoff", () => {
  it("waits the seconds a 429's Retry-After asks for, then succeeds", async () => {
    const { base, arrivals } = await limiter(1, 429, "1");
    const res = await sendWithBackoff(agent, base, req);
    expect(res.status).toBe(201);
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(990);
  });

  it("retries a 503 too, with its own pause when no Retry-After is given", async () => {
    const { base, arrivals } = await limiter(2, 503);
    const res = await sendWithBackoff(agent, base, req, { baseMs: 20 });
    expect(res.status).toBe(201);
    expect(arrivals).toHaveLength(3);
  });

  it("gives up after the bounded number of retries and returns the last refusal", async () => {
    const { base, arrivals } = await limiter(100, 429, "0");
    const res = await sendWithBackoff(agent, base, req, { retries: 3 });
    expect(res.status).toBe(429);
    expect(arrivals).toHaveLength(4);
  });

  it("does not retry other errors", async () => {
    const { base, arrivals } = await limiter(5, 400);
    const res = await sendWithBackoff(agent, base, req);
    expect(res.status).toBe(400);
    expect(arrivals).toHaveLength(1);
  });

  it("caps a long Retry-After at maxWaitMs", async () => {
    const { base, arrivals } = await limiter(1, 429, "3600");
    const res = await sendWithBackoff(agent, base, req, { maxWaitMs: 50 });
    expect(res.status).toBe(201);
    expect(arrivals[1]! - arrivals[0]!).toBeLessThan(3_600_000);
  });
});

describe("retryAfterMs", () => {
  it("reads delta-seconds and HTTP dates", () => {
    expect(retryAfterMs("2")).toBe(2000);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs("Thu, 01 Jan 2026 00:00:03 GMT", now)).toBe(3000);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs("soon")).toBeUndefined();
  });
});
