// Reads a folder of JSON acceptance fixtures (given/when/then), sorted by file name, for a test runner;
// each runner declares its own fixture type.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export function loadFixtures<T>(folder: URL): [string, T][] {
  const dir = fileURLToPath(folder);
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => [name, JSON.parse(readFileSync(join(dir, name), "utf8")) as T]);
}
