// Deeply nested JSON bodies are refused with 400 limit_exceeded before anything walks them (they used to
// overflow the stack in the input scan and answer 500). Offline app: no route reaches a backing service.
import { describe, expect, it } from "vitest";
import { LIMITS } from "../actors/kernel/limits.ts";
import { TEST_ADMIN_KEY as ADMIN, offlineApp } from "./openapi/test-app.ts";

const headers = {
  authorization: `Bearer ${ADMIN}`,
  "content-type": "application/json",
  "idempotency-key": "depth-1",
};
const byr = `byr_${"0".repeat(28)}`;
const routes: [string, string][] = [
  ["POST", "/v1/buyers"],
  ["POST", `/v1/buyers/${byr}/campaigns`],
  ["POST", "/v1/calls"],
  ["POST", "/v1/webhooks"],
  ["POST", "/v1/compliance/consents"],
];
const nested = (levels: number, open: string, close: string) =>
  `{"name":${open.repeat(levels - 1)}1${close.repeat(levels - 1)}}`;

describe("JSON nesting depth", () => {
  // As deep as fits in the 64 KB body limit (100,000 levels is over it: 413 before any parse).
  it.each(routes)("%s %s answers 30,000 levels with 400 limit_exceeded", async (method, path) => {
    for (const body of [nested(30_000, "[", "]"), nested(10_000, '{"a":', "}")]) {
      const res = await offlineApp().request(path, { method, headers, body });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        code: "limit_exceeded",
        limit: { name: "body.depth", max: LIMITS["body.depth"] },
      });
    }
  });

  it("lets a body at the depth limit through to validation", async () => {
    const body = nested(LIMITS["body.depth"], "[", "]");
    const res = await offlineApp().request("/v1/buyers", { method: "POST", headers, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "validation_failed", errors: [{ path: "name" }] });
  });
});
