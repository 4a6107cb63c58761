// Route inventory: every route Hono registers declares its OpenAPI facts and is in the document, and
// every one but the public few refuses a request without a key. A wrong method on a known path is a 405.
import { describe, expect, it } from "vitest";
import type { LiveHub } from "../live/hub.ts";
import { buildOpenApi } from "./document.ts";
import { walkRoutes } from "./facts.ts";
import { offlineApp, TEST_ADMIN_KEY } from "./test-app.ts";

const PUBLIC = new Set(["GET /health", "GET /ready", "GET /docs", "GET /openapi.json"]);
const app = offlineApp({ live: {} as LiveHub });
const registered = [
  ...new Set(
    app.routes.filter((r) => r.method !== "ALL" && !r.path.includes("*")).map((r) => `${r.method} ${r.path}`),
  ),
].sort();

describe("route inventory", () => {
  const { documented, undocumented } = walkRoutes(app.routes);

  it("finds OpenAPI facts on every route the app registers", () => {
    expect(undocumented).toEqual([]);
    expect(documented.map((r) => `${r.method} ${r.path.replace(/\{([^}]+)\}/g, ":$1")}`).sort()).toEqual(
      registered,
    );
  });

  it("documents every registered operation in /openapi.json", () => {
    const doc = buildOpenApi(app.routes) as { paths: Record<string, Record<string, unknown>> };
    const ops = Object.entries(doc.paths).flatMap(([p, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${p.replace(/\{([^}]+)\}/g, ":$1")}`),
    );
    expect(ops.sort()).toEqual(registered);
  });

  it("marks exactly health, readiness, docs and the document as public (not metrics)", () => {
    const publicRoutes = documented.filter((r) => r.access === "public").map((r) => `${r.method} ${r.path}`);
    expect(new Set(publicRoutes)).toEqual(new Set([...PUBLIC].filter((p) => registered.includes(p))));
  });

  // Carrier routes authenticate by the carrier's signature instead (api/telephony/edge.ts).
  const carrier = new Set(
    documented
      .filter((r) => r.access === "carrier")
      .map((r) => `${r.method} ${r.path.replace(/\{([^}]+)\}/g, ":$1")}`),
  );

  it.each([...carrier])("%s answers 403 carrier_signature_invalid without a signature", async (route) => {
    const [method, path] = route.split(" ") as [string, string];
    const res = await app.request(path.replace(/:[^/]+/g, "x"), { method, body: "CallSid=CA1" });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(((await res.json()) as { code: string }).code).toBe("carrier_signature_invalid");
  });

  it("marks exactly the telephony routes as carrier-authenticated", () => {
    expect([...carrier].every((r) => r.startsWith("POST /v1/telephony/"))).toBe(true);
    expect(registered.filter((r) => r.startsWith("POST /v1/telephony/"))).toEqual([...carrier].sort());
  });

  it.each(registered.filter((r) => !PUBLIC.has(r) && !carrier.has(r)))(
    "%s answers 401 without a key",
    async (route) => {
      const [method, path] = route.split(" ") as [string, string];
      const res = await app.request(path.replace(/:[^/]+/g, "x"), {
        method,
        body: method === "GET" ? undefined : "{}",
      });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(((await res.json()) as { code: string }).code).toBe("unauthorized");
    },
  );

  it.each([...PUBLIC].filter((p) => registered.includes(p)))("%s answers without a key", async (route) => {
    const res = await app.request(route.split(" ")[1]!);
    expect(res.status).toBe(200);
  });
});

describe("405 method_not_allowed", () => {
  it("answers a known path with a wrong method with 405, problem+json and Allow", async () => {
    const res = await app.request("/health", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(((await res.json()) as { code: string }).code).toBe("method_not_allowed");
  });

  it("lists every method a parameterised /v1 path allows (after authentication)", async () => {
    const res = await app.request(
      "/v1/buyers/byr_0123456789abcdef0123456789ab/campaigns/bcp_0123456789abcdef0123456789ab",
      {
        method: "DELETE",
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
      },
    );
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD, PATCH");
  });

  it("keeps 404 for paths no route has", async () => {
    const res = await app.request("/v1/nothing/here", {
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(res.status).toBe(404);
  });
});

describe("malformed path ids", () => {
  it.each([
    ["/v1/buyers/%00bad", "buyer_unknown"],
    ["/v1/sellers/x/campaigns", "seller_unknown"],
    ["/v1/calls/call_%F0%9F%92%A5", "call_unknown"],
    ["/v1/statements/\u00e9?month=2026-01", "not_found"],
  ])("%s is a 404 %s before any backing service is asked", async (path, code) => {
    const res = await app.request(path, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe(code);
  });
});
