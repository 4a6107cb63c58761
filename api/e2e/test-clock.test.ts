// The test clock's guard: DCE_TEST_CLOCK_AT moves only the tests' clock. No production code, chart,
// image or sidecar config reads it, and the production API keeps the wall clock.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { baseInstant, TestClock } from "./test-clock.ts";

const ROOT = join(import.meta.dirname, "../..");

function productionFiles(): string[] {
  const out: string[] = [];
  for (const dir of ["actors", "api", "helm", "scripts", "sidecar-components"]) {
    let names: string[];
    try {
      names = readdirSync(join(ROOT, dir), { recursive: true }) as string[];
    } catch {
      continue; // a folder this checkout does not have
    }
    for (const name of names) {
      const path = join(dir, name);
      if (path.startsWith(join("api", "e2e")) || /\.test\.ts$/.test(path) || path.includes("node_modules"))
        continue;
      if (statSync(join(ROOT, path)).isFile()) out.push(path);
    }
  }
  for (const name of readdirSync(ROOT)) if (statSync(join(ROOT, name)).isFile()) out.push(name);
  return out;
}

describe("the compliance tests' clock", () => {
  it("defaults to a fixed instant, moves with DCE_TEST_CLOCK_AT and refuses anything else", () => {
    expect(baseInstant({})).toBe(Date.parse("2026-07-15T16:00:00Z"));
    expect(baseInstant({ DCE_TEST_CLOCK_AT: "2026-11-01T06:30:00Z" })).toBe(
      Date.parse("2026-11-01T06:30:00Z"),
    );
    expect(() => baseInstant({ DCE_TEST_CLOCK_AT: "tomorrow" })).toThrow("DCE_TEST_CLOCK_AT");
    expect(() => baseInstant({ DCE_TEST_CLOCK_AT: "1700000000000" })).toThrow("DCE_TEST_CLOCK_AT");
    const clock = new TestClock();
    clock.set("2026-07-15T23:59:00Z");
    clock.advance(60_000);
    expect(new Date(clock.now()).toISOString()).toBe("2026-07-16T00:00:00.000Z");
  });

  it("is read by test code only: no production file, chart or config names it", () => {
    const files = productionFiles();
    expect(files).toContain(join("api", "main.ts"));
    expect(files.some((f) => f.startsWith("helm"))).toBe(true);
    const readers = files.filter((f) => readFileSync(join(ROOT, f), "utf8").includes("DCE_TEST_CLOCK"));
    expect(readers).toEqual([]);
  });

  it("leaves the production API on the wall clock", () => {
    const main = readFileSync(join(ROOT, "api/main.ts"), "utf8");
    expect(main).toMatch(/createApp\(\{[\s\S]*?\n {2}now: \(\) => Date\.now\(\),/);
  });
});
