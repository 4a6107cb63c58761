// The API keeps an idle keep-alive connection open past Node's 5 s default, so a client that was busy
// for a few seconds (a load balancer's pool, or a test that waited on a command) reuses it safely.
import { Agent, request as httpRequest } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { API } from "./stack.ts";

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
afterAll(() => agent.destroy());

function health(): Promise<{ status: number; localPort: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${API}/health`, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, localPort: req.socket?.localPort ?? 0 }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("keep-alive", () => {
  it("keeps an idle connection open longer than Node's 5 s default", async () => {
    const first = await health();
    await new Promise((r) => setTimeout(r, 6_500));
    const second = await health();
    expect([first.status, second.status]).toEqual([200, 200]);
    // The same socket served both: the server did not close it while it sat idle.
    expect(second.localPort).toBe(first.localPort);
  }, 20_000);
});
