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
