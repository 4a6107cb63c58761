// The client address failed authentications are counted against: the TCP peer, and X-Forwarded-For
// only as far as the configured number of trusted proxies.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { clientAddress } from "./auth-failures.ts";

async function addressOf(hops: number, peer: string, forwarded?: string): Promise<string> {
  const app = new Hono();
  app.get("/", (c) => c.text(clientAddress(c, hops)));
  const headers: Record<string, string> = forwarded ? { "x-forwarded-for": forwarded } : {};
  const res = await app.request("/", { headers }, { incoming: { socket: { remoteAddress: peer } } });
  return res.text();
}

describe("clientAddress", () => {
  it("is the socket's peer and ignores X-Forwarded-For when no proxy is trusted", async () => {
    expect(await addressOf(0, "127.0.0.9", "127.0.0.77")).toBe("127.0.0.9");
  });

  it("takes the entry the trusted proxy appended, not what the client put before it", async () => {
    expect(await addressOf(1, "127.0.0.9", "127.0.0.66, 127.0.0.77")).toBe("127.0.0.77");
    expect(await addressOf(2, "127.0.0.9", "127.0.0.66, 127.0.0.77")).toBe("127.0.0.66");
  });

  it("falls back to the peer when the header is shorter than the trusted hops", async () => {
    expect(await addressOf(2, "127.0.0.9", "127.0.0.77")).toBe("127.0.0.9");
  });
});
