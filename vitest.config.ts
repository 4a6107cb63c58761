// Test tiers run by one runner: unit (pure rules and in-process checks, no service), integration
// (`*.int.test.ts`: real Redis and Postgres, no Dapr; its global setup starts just those two), e2e
// (`*.e2e.test.ts`, the real stack: Hono → daprd → actors → Redis/Postgres), chaos (crash proofs
// that kill stack processes; scripts/test.sh runs them on their own, after the rest, so no other test
// meets a stack that is still recovering) and failover under load.
import { defineConfig } from "vitest/config";

const CHAOS = ["api/e2e/crash.e2e.test.ts", "api/e2e/outage.e2e.test.ts", "api/e2e/redis-crash.e2e.test.ts"];
// Failover under load (a replica killed, Redis restarted): run by scripts/test.sh after chaos.
const FAILOVER = ["api/e2e/failover.e2e.test.ts"];

const stackTier = {
  globalSetup: ["./api/e2e/global-setup.ts"],
  testTimeout: 60_000,
  hookTimeout: 300_000,
  fileParallelism: false,
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "actors/**/*.test.ts",
            "api/**/*.test.ts",
            "scripts/**/*.test.ts",
            "helm/**/*.test.ts",
            "loadtest/**/*.test.ts",
          ],
          exclude: ["**/*.e2e.test.ts", "**/*.int.test.ts", "node_modules/**"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["**/*.int.test.ts"],
          exclude: ["node_modules/**"],
          globalSetup: ["./scripts/stack/integration-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["**/*.e2e.test.ts"],
          exclude: ["node_modules/**", ...CHAOS, ...FAILOVER],
          ...stackTier,
        },
      },
      { test: { name: "chaos", include: CHAOS, ...stackTier } },
      { test: { name: "failover", include: FAILOVER, ...stackTier } },
    ],
  },
});
