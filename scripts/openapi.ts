// `npm run openapi`: writes the OpenAPI document generated from the app's routes (each declares its
// facts) to api/openapi.json (formatted by Biome, so `biome check .` stays clean; a unit test compares).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { buildOpenApi } from "../api/openapi/document.ts";
import { offlineApp } from "../api/openapi/test-app.ts";

export const OPENAPI_FILE = resolve(import.meta.dirname, "../api/openapi.json");

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  writeFileSync(OPENAPI_FILE, `${JSON.stringify(buildOpenApi(offlineApp().routes), null, 2)}\n`);
  execFileSync("npx", ["biome", "format", "--write", OPENAPI_FILE], { stdio: "ignore" });
  console.log(`wrote ${OPENAPI_FILE}`);
}
