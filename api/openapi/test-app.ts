// The API with no backing service, for unit tests and `npm run openapi`: deps that would reach Dapr, Redis or Postgres throw.
import { loadConfig } from "../../actors/platform/config.ts";
import { createLogger } from "../../actors/platform/logger.ts";
import { createApp } from "../app.ts";
import type { ApiDeps } from "../deps.ts";

export const TEST_ADMIN_KEY = "dce_admin_test_key_0123456789abcdef";

/** The least environment loadConfig accepts: for unit tests that build a config of their own. */
export const TEST_ENV = {
  DCE_PII_KEY: "ab".repeat(32),
  DCE_ADMIN_API_KEY: TEST_ADMIN_KEY,
  DAPR_API_TOKEN: "dapr-token-".padEnd(32, "0"),
  APP_API_TOKEN: "app-token-".padEnd(32, "0"),
};

export const unreachable = new Proxy(
  {},
  {
    get() {
      throw new Error("this path must not reach a backing service");
    },
  },
);

export function offlineApp(overrides: Partial<ApiDeps> = {}) {
  const config = loadConfig(TEST_ENV);
  return createApp({
    config,
    dapr: unreachable as ApiDeps["dapr"],
    redis: unreachable as ApiDeps["redis"],
    db: unreachable as ApiDeps["db"],
    logger: createLogger("test", "silent"),
    now: () => Date.parse("2026-11-28T12:00:00Z"),
    probes: {},
    ...overrides,
  });
}
