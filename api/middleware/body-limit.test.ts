// The /v1 body limit: a declared length is judged from the header without reading the body; a chunked
// body is counted as it arrives; both refuse past the limit with the handler never running.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { declaredBodyLimit } from "./body-limit.ts";

const MAX = 64;
function app() {
  const a = new Hono();
  a.use(
    declaredBodyLimit({
      maxSize: MAX,
      onError: () => {
        throw new Error("too large");
      },
    }),
  );
  a.onError((err, c) => c.text(err.message, 413));
  a.post("/echo", async (c) => c.json(await c.req.json()));
  a.get("/echo", (c) => c.text("get"));
  return a;
}

/** A body the server must never read: pulling from it fails the request. */
const unreadable = () =>
  new ReadableStream({
    pull() {
      throw new Error("the body was read");
    },
  });

const chunked = (text: string) =>
  new ReadableStream({
    start(c) {
      for (const part of text.match(/.{1,16}/g) ?? []) c.enqueue(new TextEncoder().encode(part));
      c.close();
    },
  });

const post = (body: string | ReadableStream, headers: Record<string, string> = {}) =>
  app().request("/echo", { method: "POST", body, headers, duplex: "half" } as RequestInit);

describe("declaredBodyLimit", () => {
  it("refuses a declared length over the limit without reading the body", async () => {
    const res = await post(unreadable(), { "content-length": String(MAX + 1) });
    expect(res.status).toBe(413);
    expect(await res.text()).toBe("too large");
  });

  it("lets a declared length within the limit through to the handler", async () => {
    const body = JSON.stringify({ a: "x".repeat(20) });
    const res = await post(body, { "content-length": String(Buffer.byteLength(body)) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ a: "x".repeat(20) });
  });

  it("counts a chunked body: over the limit is refused, within it passes", async () => {
    expect((await post(chunked(JSON.stringify({ a: "x".repeat(MAX) })))).status).toBe(413);
    const ok = await post(chunked(JSON.stringify({ a: "y" })));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ a: "y" });
  });

  it("passes GET untouched", async () => {
    expect(await (await app().request("/echo")).text()).toBe("get");
  });
});
