// The stack's apps run on Node.js 24: each logs its Node version when it starts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRunFile } from "../../scripts/stack/plan.ts";
import { ROOT, STATE_DIR } from "./stack.ts";

const apps = readRunFile(join(ROOT, "dapr.yaml"));

describe("the stack's Node.js", () => {
  it.each(apps.map((a) => a.instance))("%s runs on Node.js 24", (instance) => {
    const started = readFileSync(join(STATE_DIR, "logs", `${instance}.log`), "utf8")
      .split("\n")
      .filter((line) => /"msg":"[a-z]+\.started"/.test(line))
      .map((line) => JSON.parse(line) as { node?: string });
    expect(started.length, `${instance} logged its start`).toBeGreaterThan(0);
    expect(started.at(-1)?.node?.split(".")[0]).toBe("24");
  });
});
