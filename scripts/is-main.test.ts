// isMain compares canonical file URLs: a script reached through a symlink or a path with a space is
// still recognised as the one node runs.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { isMain } from "./is-main.ts";

const argv1 = process.argv[1];
let dir = "";
afterEach(() => {
  process.argv[1] = argv1 as string;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("isMain", () => {
  it("recognises the script through a symlinked folder whose name has a space", () => {
    dir = mkdtempSync(join(tmpdir(), "is main "));
    const real = join(dir, "real dir");
    const script = join(real, "gate.ts");
    mkdirSync(real);
    writeFileSync(script, "");
    symlinkSync(real, join(dir, "link"));
    process.argv[1] = join(dir, "link", "gate.ts");
    expect(isMain(pathToFileURL(script).href)).toBe(true);
    expect(`file://${process.argv[1]}`).not.toBe(pathToFileURL(script).href); // the old compare failed
  });

  it("is false for another module or without a script", () => {
    process.argv[1] = "/no/such/file.ts";
    expect(isMain(import.meta.url)).toBe(false);
  });
});
