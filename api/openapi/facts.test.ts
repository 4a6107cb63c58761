// Route facts: the generator finds them on routes mounted through sub-apps, refuses a route without
// them, and body() and query() refuse to validate with a schema the route's facts do not declare.
import { Hono } from "hono";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { body, query } from "../validate.ts";
import { buildOpenApi } from "./document.ts";
import { tagged, walkRoutes } from "./facts.ts";

const doc = tagged("accounts");
const Declared = v.object({ name: v.string() });
const Other = v.object({ name: v.string() });

function app(handlerSchema: v.GenericSchema) {
  const sub = new Hono();
  // An error handler of its own makes Hono wrap the sub-app's handlers when it is mounted.
  sub.onError((err, c) => c.text(err.message, 500));
  const createDoc = doc({
    summary: "Create a thing",
    access: "admin",
    body: Declared,
    status: 201,
    response: null,
    errors: [],
  });
  sub.post("/things/:thingId", createDoc, async (c) => c.json(await body(c, handlerSchema), 201));
  sub.get("/things", (c) => c.json([]));
  const listDoc = doc({
    summary: "List things",
    access: "any",
    query: Declared,
    status: 200,
    response: null,
    errors: [],
  });
  sub.get("/things/list", listDoc, (c) => c.json(query(c, handlerSchema)));
  const root = new Hono();
  root.route("/v1", sub);
  return root;
}

describe("walkRoutes", () => {
  it("finds the facts of a route mounted in a sub-app, in OpenAPI path spelling", () => {
    const { documented } = walkRoutes(app(Declared).routes);
    expect(documented).toMatchObject([
      { method: "POST", path: "/v1/things/{thingId}", tag: "accounts", body: Declared },
      { method: "GET", path: "/v1/things/list", tag: "accounts", query: Declared },
    ]);
  });

  it("lists a route without facts, and the document refuses to build", () => {
    const routes = app(Declared).routes;
    expect(walkRoutes(routes).undocumented).toEqual(["GET /v1/things"]);
    expect(() => buildOpenApi(routes)).toThrow(/GET \/v1\/things/);
  });
});

describe("body() and query() against the declared schemas", () => {
  const post = (a: Hono) =>
    a.request("/v1/things/t1", { method: "POST", body: JSON.stringify({ name: "x" }) });

  it("validates with the schema the route's facts declare", async () => {
    const res = await post(app(Declared));
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ name: "x" });
  });

  it("refuses another schema, even one of the same shape", async () => {
    const res = await post(app(Other));
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/POST \/v1\/things\/:thingId validates a body its OpenAPI facts/);
  });

  it("holds query() to the declared query schema the same way", async () => {
    expect(await (await app(Declared).request("/v1/things/list?name=y")).json()).toEqual({ name: "y" });
    const res = await app(Other).request("/v1/things/list?name=y");
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/validates a query its OpenAPI facts do not declare/);
  });
});
