// The HTTP edge of the API without any backing service: auth, input hygiene and the problem shape.
// Deps that would reach Dapr, Redis or Postgres throw, proving these paths never touch them.
import { describe, expect, it } from "vitest";
import { isUnavailable, MAX_BODY_BYTES } from "./app.ts";
import type { ApiDeps } from "./deps.ts";
import { TEST_ADMIN_KEY as ADMIN, offlineApp } from "./openapi/test-app.ts";

const app = (probes: ApiDeps["probes"] = {}) => offlineApp({ probes });

const admin = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };

async function problem(res: Response) {
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  return (await res.json()) as { status: number; code: string; detail: string; errors?: { path: string }[] };
}

describe("API edge", () => {
  it("serves /health without a key", async () => {
    const res = await app().request("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("reports readiness per backing service, 503 when one is down", async () => {
    const up = await app({ redis: async () => true, postgres: async () => true }).request("/ready");
    expect(up.status).toBe(200);
    const down = await app({ redis: async () => true, postgres: async () => false }).request("/ready");
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: "not_ready", checks: { redis: true, postgres: false } });
  });

  it("counts a backing service that never answers as down instead of hanging", async () => {
    const stalled = app({ redis: async () => true, postgres: () => new Promise<boolean>(() => undefined) });
    const res = await stalled.request("/ready");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "not_ready", checks: { redis: true, postgres: false } });
  });

  it.each([
    ["no header", {}],
    ["not bearer", { authorization: `Basic ${ADMIN}` }],
    ["unknown key", { authorization: "Bearer nope" }],
  ])("refuses /v1 without a valid key (%s)", async (_name, headers) => {
    const res = await app().request("/v1/buyers", { method: "POST", headers, body: "{}" });
    expect(res.status).toBe(401);
    expect(await problem(res)).toMatchObject({ status: 401, code: "unauthorized" });
  });

  it("answers malformed JSON with 400 malformed_json", async () => {
    const res = await app().request("/v1/buyers", { method: "POST", headers: admin, body: "{nope" });
    expect(res.status).toBe(400);
    expect((await problem(res)).code).toBe("malformed_json");
  });

  it("answers an invalid body with every problem and its path", async () => {
    const body = JSON.stringify({ name: "", creditLimitMicros: 1.5, timezone: "Mars/Olympus" });
    const res = await app().request("/v1/buyers", { method: "POST", headers: admin, body });
    expect(res.status).toBe(400);
    const p = await problem(res);
    expect(p.code).toBe("validation_failed");
    expect(p.errors?.map((e) => e.path).sort()).toEqual(["creditLimitMicros", "name", "timezone"]);
  });

  it.each([
    ["an array", "[]"],
    ["null", "null"],
    ["a number", "42"],
  ])("refuses %s where a JSON object is expected", async (_name, body) => {
    const res = await app().request("/v1/buyers", { method: "POST", headers: admin, body });
    expect(res.status).toBe(400);
    expect(await problem(res)).toMatchObject({ code: "validation_failed", errors: [{ path: "body" }] });
  });

  it("refuses NUL characters and unpaired surrogates before they reach a database", async () => {
    const body = JSON.stringify({ name: "evil\u0000name" }); // JSON escapes it as \u0000
    const res = await app().request("/v1/buyers", { method: "POST", headers: admin, body });
    expect(res.status).toBe(400);
    expect(await problem(res)).toMatchObject({ code: "validation_failed", errors: [{ path: "name" }] });
  });

  it("refuses bodies over the limit with 413", async () => {
    const body = JSON.stringify({ name: "x".repeat(MAX_BODY_BYTES) });
    const res = await app().request("/v1/buyers", { method: "POST", headers: admin, body });
    expect(res.status).toBe(413);
    expect((await problem(res)).code).toBe("payload_too_large");
  });

  it("answers unknown routes with a 404 problem", async () => {
    const res = await app().request("/v2/nothing");
    expect(res.status).toBe(404);
    expect((await problem(res)).code).toBe("route_not_found");
  });

  it("needs an Idempotency-Key to offer a call or deposit", async () => {
    const offer = await app().request("/v1/calls", { method: "POST", headers: admin, body: "{}" });
    expect((await problem(offer)).code).toBe("idempotency_key_required");
    const deposit = await app().request("/v1/buyers/byr_0123456789abcdef0123456789ab/deposits", {
      method: "POST",
      headers: admin,
      body: "{}",
    });
    expect((await problem(deposit)).code).toBe("idempotency_key_required");
  });

  it("echoes or assigns a request id", async () => {
    const given = await app().request("/health", { headers: { "x-request-id": "req-123" } });
    expect(given.headers.get("x-request-id")).toBe("req-123");
    expect((await app().request("/health")).headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("unavailable backing services", () => {
  it.each([
    [{ code: "ECONNREFUSED" }, true],
    [new Error("Connection is closed."), true],
    [{ name: "MaxRetriesPerRequestError" }, true],
    [{ code: "CONNECTION_ENDED" }, true],
    [new TypeError("x is not a function"), false],
  ])("classifies %o as unavailable: %s", (err, expected) => {
    expect(isUnavailable(err)).toBe(expected);
  });
});
