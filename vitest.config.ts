// Two tiers run by one runner: pure/unit+integration tests, and end-to-end tests that need the stack.
import { defineConfig } from "vitest/config";
import ChaosLastSequencer from "./api/e2e/sequencer.ts";

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
          exclude: ["**/*.e2e.test.ts", "node_modules/**"],
        },
      },
      {
        test: {
          name: "e2e",
          include: ["**/*.e2e.test.ts"],
          exclude: ["node_modules/**"],
          globalSetup: ["./api/e2e/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          sequence: { sequencer: ChaosLastSequencer },
        },
      },
    ],
  },
});
