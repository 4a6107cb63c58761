// The live feed's WebSocket server on a real loopback port: a flood of empty continuation frames is cut
// after a bounded number of fragments while the process keeps answering; too-large messages, dead
// peers and slow readers are dropped.
import { once } from "node:events";
import { serve, upgradeWebSocket } from "@hono/node-server";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, type WebSocketServer } from "ws";
import { closeCode, frame, rawClient } from "./raw-client.ts";
import { createLiveSocketServer, type LiveSocketOptions, sendBounded } from "./ws-server.ts";

type Server = ReturnType<typeof serve>;
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** An echo feed on 127.0.0.1; `onOpen` gets each raw server-side socket. */
async function start(opts: LiveSocketOptions = {}, onOpen: (ws: WebSocket) => void = () => undefined) {
  const wss: WebSocketServer = createLiveSocketServer({ protocols: ["dce.v1"], ...opts });
  const app = new Hono();
  app.get("/ping", (c) => c.text("pong"));
  app.get(
    "/live",
    upgradeWebSocket(() => ({
      onOpen: (_e, ws) => onOpen(ws.raw as WebSocket),
      onMessage: (e, ws) => ws.send(String(e.data)),
    })),
  );
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1", websocket: { server: wss } });
  servers.push(server);
  await once(server, "listening");
  return (server.address() as { port: number }).port;
}

describe("live WebSocket server", () => {
  it("closes a flood of 20k empty continuation frames with 1008 and keeps answering", async () => {
    const port = await start({ maxFragments: 64 });
    const client = await rawClient(`http://127.0.0.1:${port}/live`);
    const flood = [frame(false, 0x1, Buffer.from("{"))];
    for (let i = 0; i < 20_000; i++) flood.push(frame(false, 0x0));
    const started = performance.now();
    client.socket.write(Buffer.concat(flood));
    const answered = await fetch(`http://127.0.0.1:${port}/ping`);
    expect(await answered.text()).toBe("pong");
    await client.ended;
    console.log(`fragment flood: closed and answered after ${(performance.now() - started).toFixed(1)} ms`);
    expect(closeCode(client.received())).toBe(1008);
  });

  it("closes a message larger than maxPayload with 1009", async () => {
    const port = await start({ maxPayload: 64 });
    const client = await rawClient(`http://127.0.0.1:${port}/live`);
    client.socket.write(frame(true, 0x1, Buffer.alloc(100, 0x61)));
    await client.ended;
    expect(closeCode(client.received())).toBe(1009);
  });

  // The healthy peer must answer each ping within one heartbeat: 1 s leaves room on a loaded machine
  // (at 50 ms a busy CI machine dropped the healthy peer too).
  it("drops a peer that does not answer pings, keeps one that does", { timeout: 20_000 }, async () => {
    const port = await start({ heartbeatMs: 1_000 });
    const healthy = new WebSocket(`ws://127.0.0.1:${port}/live`, ["dce.v1"]);
    await once(healthy, "open");
    const dead = await rawClient(`http://127.0.0.1:${port}/live`); // reads but never answers a ping
    await dead.ended;
    expect(healthy.readyState).toBe(WebSocket.OPEN);
    healthy.send("still here");
    const [echo] = (await once(healthy, "message")) as [Buffer];
    expect(String(echo)).toBe("still here");
    healthy.close();
  });

  it("drops a reader whose send buffer passes the limit instead of buffering without bound", async () => {
    let serverSide: WebSocket | undefined;
    const port = await start({}, (ws) => {
      serverSide = ws;
    });
    const slow = await rawClient(`http://127.0.0.1:${port}/live`);
    slow.socket.pause();
    while (!serverSide) await new Promise((r) => setTimeout(r, 10));
    const chunk = "x".repeat(64 * 1024);
    let sent = 0;
    while (sendBounded(serverSide, chunk, 256 * 1024)) {
      sent++;
      expect(sent).toBeLessThan(100_000);
      if (sent % 64 === 0) await new Promise((r) => setImmediate(r));
    }
    if (serverSide.readyState !== WebSocket.CLOSED) await once(serverSide, "close");
    expect(serverSide.readyState).toBe(WebSocket.CLOSED);
  });
});
