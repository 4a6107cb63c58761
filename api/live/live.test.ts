// The live feed's pure parts and its route's refusals, without a server: bidder messages, the
// key carried in a subprotocol, and who may open a feed.
import type { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../actors/platform/config.ts";
import { createLogger } from "../../actors/platform/logger.ts";
import { createApp } from "../app.ts";
import type { ApiDeps } from "../deps.ts";
import { TEST_ENV } from "../openapi/test-app.ts";
import { liveBuyerId, presentedKey, watchKey } from "../routes/live.ts";
import { noticeKey, parseBidderMessage } from "./messages.ts";

describe("parseBidderMessage", () => {
  it("accepts a bid with an integer amount", () => {
    expect(
      parseBidderMessage('{"type":"bid","callId":"call_abc123","campaignId":"bcp_abc123","bidMicros":5}'),
    ).toEqual({ type: "bid", callId: "call_abc123", campaignId: "bcp_abc123", bidMicros: 5 });
  });

  it.each([
    ["not JSON", "bid 5"],
    ["another type", '{"type":"hello"}'],
    [
      "a fractional amount",
      '{"type":"bid","callId":"call_abc123","campaignId":"bcp_abc123","bidMicros":1.5}',
    ],
    ["a negative amount", '{"type":"bid","callId":"call_abc123","campaignId":"bcp_abc123","bidMicros":-1}'],
    ["a bad call id", '{"type":"bid","callId":"x","campaignId":"bcp_abc123","bidMicros":1}'],
  ])("refuses %s", (_name, text) => {
    expect(parseBidderMessage(text)).toMatchObject({ type: "error", code: "malformed_message" });
  });

  it("reads the key and deadline of a notice", () => {
    const text =
      '{"type":"opportunity","callId":"call_1","campaignId":"bcp_1","deadline":"2026-01-01T00:00:00.250Z"}';
    expect(noticeKey(text)).toEqual({
      type: "opportunity",
      key: "call_1|bcp_1",
      deadlineMs: Date.UTC(2026, 0, 1, 0, 0, 0, 250),
    });
  });
});

describe("live route", () => {
  it("finds the key in the Authorization header or a dce.key.<key> subprotocol, not elsewhere", () => {
    expect(presentedKey("Bearer k1", "dce.v1, dce.key.k2")).toBe("k1");
    expect(presentedKey(undefined, "dce.v1, dce.key.k2")).toBe("k2");
    expect(presentedKey(undefined, "dce.v1")).toBeUndefined();
  });

  it("gives a buyer its own feed, an admin the named buyer's, and refuses sellers", () => {
    expect(liveBuyerId({ keyId: "k", role: "buyer", accountId: "byr_abc123" }, "byr_other1")).toBe(
      "byr_abc123",
    );
    expect(liveBuyerId({ keyId: "k", role: "admin", accountId: null }, "byr_abc123")).toBe("byr_abc123");
    expect(() => liveBuyerId({ keyId: "k", role: "admin", accountId: null }, undefined)).toThrow(/buyerId/);
    expect(() => liveBuyerId({ keyId: "k", role: "seller", accountId: "sel_abc123" }, undefined)).toThrow(
      /buyers/,
    );
  });

  it("answers 401 without a valid key, before any upgrade", async () => {
    const config = loadConfig(TEST_ENV);
    const logger = createLogger("test", "silent");
    const deps = { config, logger, live: {}, now: () => Date.now() } as unknown as ApiDeps;
    const app: Hono = createApp(deps);
    const res = await app.request("/v1/live", {
      headers: { upgrade: "websocket", "sec-websocket-protocol": "dce.v1" },
    });
    expect(res.status).toBe(401);
    const wrong = await app.request("/v1/live", { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
  });
});

describe("a live session's key", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("ends the session when the key expires, also when that is months away", () => {
    vi.useFakeTimers();
    const day = 24 * 3600 * 1000;
    const deps = { now: () => Date.now() } as unknown as ApiDeps;
    const ended: string[] = [];
    const principal = { keyId: "key_abc123", role: "buyer" as const, accountId: "byr_abc123" };
    watchKey(deps, { ...principal, expiresAtMs: Date.now() + 90 * day }, "k", (r) => ended.push(r));
    vi.advanceTimersByTime(30 * day); // past setTimeout's 24.8-day ceiling
    expect(ended).toEqual([]);
    vi.advanceTimersByTime(60 * day);
    expect(ended).toEqual(["key expired"]);
  });

  it("stops watching when the session closes", () => {
    vi.useFakeTimers();
    const deps = { now: () => Date.now() } as unknown as ApiDeps;
    const ended: string[] = [];
    const principal = { keyId: "key_abc123", role: "buyer" as const, accountId: "byr_abc123" };
    const unwatch = watchKey(deps, { ...principal, expiresAtMs: Date.now() + 1_000 }, "k", (r) =>
      ended.push(r),
    );
    unwatch();
    vi.advanceTimersByTime(2_000);
    expect(ended).toEqual([]);
  });
});
