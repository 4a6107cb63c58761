// Console sessions against a real Redis (127.0.0.1:6380, started by the integration tier): the key is
// sealed under the cookie token, the TTL never outlives the key, and the cookie is Secure outside local
// mode. The sign-in goes through the console app itself with the configured admin key (no database).
import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../actors/platform/config.ts";
import { createLogger } from "../../actors/platform/logger.ts";
import type { ApiDeps } from "../deps.ts";
import { KeyResolver } from "../middleware/auth.ts";
import { TEST_ADMIN_KEY, TEST_ENV } from "../openapi/test-app.ts";
import { consoleApp } from "./app.tsx";
import { createSession, loadSession, SESSION_TTL_SEC } from "./session.ts";

const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
afterAll(() => redis.disconnect());
const NOW = Date.parse("2026-12-02T08:00:00Z");
const stored = (token: string) => `dce:console:session:${createHash("sha256").update(token).digest("hex")}`;
const principal = { keyId: "key_1", role: "buyer" as const, accountId: "byr_1" };

describe("console sessions", () => {
  it("seal the API key under the cookie token and expire with the session", async () => {
    const { token, ttlSec } = await createSession(redis, principal, "dce_secret_key_value", NOW);
    expect(ttlSec).toBe(SESSION_TTL_SEC);
    const raw = await redis.get(stored(token));
    expect(raw).not.toContain("dce_secret_key_value");
    expect(await redis.ttl(stored(token))).toBeGreaterThan(SESSION_TTL_SEC - 5);
    expect((await loadSession(redis, token, NOW))?.apiKey).toBe("dce_secret_key_value");
    // Past its expiry, or with another token, there is no session.
    expect(await loadSession(redis, token, NOW + SESSION_TTL_SEC * 1000)).toBeNull();
    expect(await loadSession(redis, `${token.slice(0, -2)}xx`, NOW)).toBeNull();
  });

  it("never outlive the key they were made from", async () => {
    const expiresAtMs = NOW + 600_000;
    const { token, ttlSec } = await createSession(redis, { ...principal, expiresAtMs }, "k", NOW);
    expect(ttlSec).toBe(600);
    expect((await loadSession(redis, token, NOW))?.session.expiresAtMs).toBe(expiresAtMs);
  });
});

function app(apiHost: string) {
  const config = { ...loadConfig(TEST_ENV), apiHost };
  const deps = {
    config,
    redis,
    logger: createLogger("test", "silent"),
    now: () => Date.now(),
  } as unknown as ApiDeps;
  return consoleApp(deps, new KeyResolver(deps), () => new Response(null, { status: 500 }));
}

async function signIn(apiHost: string) {
  const a = app(apiHost);
  const form = await a.request("/console/sign-in");
  const pre = /dce_console_signin=([^;]+)/.exec(form.headers.get("set-cookie") ?? "")?.[1] ?? "";
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
  return a.request("/console/sign-in", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: `dce_console_signin=${pre}` },
    body: new URLSearchParams({ _csrf: csrf, apiKey: TEST_ADMIN_KEY }).toString(),
  });
}

describe("console sign-in cookie", () => {
  it("is HttpOnly, SameSite=Strict and Secure on a deployment", async () => {
    const res = await signIn("0.0.0.0");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/console/operator");
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("dce_console="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/Max-Age=28800/);
  });

  it("drops Secure in local mode (the API bound to loopback, plain http)", async () => {
    const cookie = (await signIn("127.0.0.1")).headers
      .getSetCookie()
      .find((c) => c.startsWith("dce_console="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).not.toMatch(/Secure/);
  });

  it("refuses a sign-in form without its double-submit token", async () => {
    const res = await app("127.0.0.1").request("/console/sign-in", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: "x", apiKey: TEST_ADMIN_KEY }).toString(),
    });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("dce_console="))).toBe(false);
  });
});
