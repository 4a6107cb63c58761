// The OpenAPI document: generated from the app's routes, committed as api/openapi.json, every code described.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REASONS } from "../../actors/kernel/reasons.ts";
import { OPENAPI_FILE } from "../../scripts/openapi.ts";
import { API_ERRORS } from "../problem.ts";
import { buildOpenApi } from "./document.ts";
import { offlineApp } from "./test-app.ts";

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; "x-error-codes": string[] }>>;
  components: {
    schemas: {
      Problem: { properties: { code: { enum: string[]; "x-enum-descriptions": Record<string, string> } } };
    };
  };
  "x-error-codes": Record<string, { status: number; description: string }>;
};

describe("OpenAPI document", () => {
  const doc = buildOpenApi(offlineApp().routes) as unknown as Doc;

  it("is OpenAPI 3.1 and equals the committed api/openapi.json (run `npm run openapi`)", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(JSON.parse(readFileSync(OPENAPI_FILE, "utf8"))).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it("documents every API error and reason code with a description", () => {
    const all = [...Object.keys(API_ERRORS), ...Object.keys(REASONS)];
    const code = doc.components.schemas.Problem.properties.code;
    expect([...code.enum].sort()).toEqual([...all].sort());
    for (const c of all) {
      expect(code["x-enum-descriptions"][c]).toBeTruthy();
      expect(doc["x-error-codes"][c]?.status).toBeGreaterThanOrEqual(400);
    }
  });

  it("gives every operation a documented answer for each of its error codes", () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const c of op["x-error-codes"]) {
          expect(
            op.responses[String(doc["x-error-codes"][c]!.status)],
            `${method} ${path} ${c}`,
          ).toBeDefined();
        }
      }
    }
  });

  it("serves the document and a script-free docs page without a key", async () => {
    const app = offlineApp();
    const json = await app.request("/openapi.json");
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual(JSON.parse(JSON.stringify(doc)));
    const page = await app.request("/docs");
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).not.toMatch(/<script|https?:\/\/(?!json-schema)/i);
    expect(html).toContain("/v1/calls");
    expect(html).toContain("insufficient_funds");
  });
});
