// docs/api.md lists every resource limit with the value the code enforces.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LIMITS } from "../actors/kernel/limits.ts";

const doc = readFileSync(new URL("../docs/api.md", import.meta.url), "utf8");

describe("limits table in docs/api.md", () => {
  it.each(Object.entries(LIMITS))("documents %s = %i", (name, max) => {
    const row = doc.split("\n").find((l) => l.startsWith(`| \`${name}\``));
    expect(row, `no row for ${name}`).toBeDefined();
    expect(row!.split("|")[2]!.trim().replaceAll(",", "")).toBe(String(max));
  });
});
