import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

const base = { DCE_PII_KEY: "ab".repeat(32), DCE_ADMIN_API_KEY: "dce_admin_test_key_0123456789abcdef" };
const tokens = { DAPR_API_TOKEN: "d".repeat(64), APP_API_TOKEN: "a".repeat(64) };

describe("loadConfig's Dapr tokens", () => {
  it("reads both tokens", () => {
    const config = loadConfig({ ...base, ...tokens });
    expect(config.daprApiToken).toBe(tokens.DAPR_API_TOKEN);
    expect(config.appApiToken).toBe(tokens.APP_API_TOKEN);
  });

  it("refuses to start without them, or with short ones", () => {
    expect(() => loadConfig(base)).toThrow(/DAPR_API_TOKEN must be set[\s\S]*APP_API_TOKEN must be set/);
    expect(() => loadConfig({ ...base, ...tokens, APP_API_TOKEN: "short" })).toThrow(/APP_API_TOKEN/);
  });
});

describe("loadConfig's stream guards", () => {
  it("reads the backlog bound, lag threshold and intervals, with defaults", () => {
    expect(loadConfig({ ...base, ...tokens }).stream).toEqual({
      backlogMax: 1_000_000,
      readyLagMax: 100_000,
      retryAfterSec: 5,
      pollMs: 1_000,
      trimMs: 10_000,
    });
    const env = { DCE_STREAM_BACKLOG_MAX: "100", DCE_STREAM_READY_LAG_MAX: "0", DCE_STREAM_TRIM_MS: "1000" };
    expect(loadConfig({ ...base, ...tokens, ...env }).stream).toMatchObject({
      backlogMax: 100,
      readyLagMax: 0,
      trimMs: 1_000,
    });
  });

  it("refuses a negative bound, a poll faster than 100 ms and a zero Retry-After, by name", () => {
    const bad = { DCE_STREAM_BACKLOG_MAX: "-1", DCE_STREAM_POLL_MS: "10", DCE_STREAM_RETRY_AFTER_SEC: "0" };
    expect(() => loadConfig({ ...base, ...tokens, ...bad })).toThrow(
      /DCE_STREAM_BACKLOG_MAX[\s\S]*DCE_STREAM_POLL_MS[\s\S]*DCE_STREAM_RETRY_AFTER_SEC/,
    );
  });
});
