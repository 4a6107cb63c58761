// Schemathesis fuzzes every operation of /openapi.json against the running stack: no server errors and
// no response outside its documented schema (scripts/schemathesis.sh; installed by scripts/setup.sh).
import { spawn } from "node:child_process";
import { afterAll, expect, it } from "vitest";
import { call } from "./client.ts";
import { ROOT } from "./stack.ts";

const started = new Date().toISOString();

// The webhook endpoints the fuzzer registered (random URLs, some for the exchange-wide feed) would go
// on receiving every later test's events: remove them.
afterAll(async () => {
  const hooks = await call<{ items: { id: string; createdAt: string }[] }>("GET", "/v1/webhooks");
  for (const h of hooks.body.items ?? []) {
    if (h.createdAt >= started) await call("DELETE", `/v1/webhooks/${h.id}`);
  }
});

it("finds no server error and no response-schema violation in any operation", async () => {
  // Its own admin key: the fuzzer's traffic spends its own rate-limit budget, not the suite's.
  const key = await call<{ key: string }>("POST", "/v1/api-keys", { body: { role: "admin" } });
  expect(key.status).toBe(201);
  const child = spawn("bash", ["scripts/schemathesis.sh", key.body.key], { cwd: ROOT });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(code, out.slice(-6000)).toBe(0);
}, 900_000);
