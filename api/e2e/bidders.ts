// Test bidders for e2e: a local RTB endpoint (a real HTTP server on 127.0.0.1, random port) and a live
// WebSocket bidder (Node 20 has no WebSocket client without a flag; the feed's own framing is reused).
import { once } from "node:events";
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { closePayload, encodeFrame, FrameReader, OP } from "../live/frames.ts";
import { call } from "./client.ts";
import { API } from "./stack.ts";

export type RtbHandler = (ping: Record<string, unknown>, res: ServerResponse) => void | Promise<void>;

/** An RTB endpoint answering every ping with `handler`; `pings` keeps what it received. */
export async function rtbEndpoint(handler: RtbHandler) {
  const pings: Record<string, unknown>[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const ping = JSON.parse(body) as Record<string, unknown>;
    pings.push(ping);
    await handler(ping, res);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/bid`,
    pings,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

export const json = (res: ServerResponse, body: unknown, status = 200) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type LiveMessage = Record<string, unknown> & { type: string };

/**
 * A live bidder connected to GET /v1/live; resolves once the feed said hello. `bid` answers each
 * opportunity as it arrives with an amount in micros, or stays silent when it returns undefined.
 */
export async function liveBidder(opts: {
  key: string;
  buyerId?: string;
  viaSubprotocol?: boolean;
  bid?: (opportunity: LiveMessage) => number | undefined;
}) {
  const url = new URL(`${API}/v1/live${opts.buyerId ? `?buyerId=${opts.buyerId}` : ""}`);
  const headers: Record<string, string> = {
    connection: "Upgrade",
    upgrade: "websocket",
    "sec-websocket-version": "13",
    "sec-websocket-key": Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64"),
    "sec-websocket-protocol": opts.viaSubprotocol ? `dce.v1, dce.key.${opts.key}` : "dce.v1",
  };
  if (!opts.viaSubprotocol) headers.authorization = `Bearer ${opts.key}`;
  const req = request(url, { headers });
  req.end();
  const [socket, head] = await new Promise<[Duplex, Buffer]>((resolve, reject) => {
    req.once("upgrade", (_res, s: Duplex, h: Buffer) => resolve([s, h])); // h: frames read with the 101
    req.once("response", (res) => reject(new Error(`no upgrade: HTTP ${res.statusCode}`)));
    req.once("error", reject);
  });
  const messages: LiveMessage[] = [];
  const waiters: (() => void)[] = [];
  const reader = new FrameReader({ maxPayload: 1 << 20, expectMasked: false });
  const send = (message: unknown) =>
    socket.write(encodeFrame(OP.text, Buffer.from(JSON.stringify(message)), true));
  const onData = (chunk: Buffer) => {
    for (const f of reader.push(chunk)) {
      if (f.opcode === OP.ping) socket.write(encodeFrame(OP.pong, f.payload, true));
      if (f.opcode !== OP.text) continue;
      const m = JSON.parse(f.payload.toString("utf8")) as LiveMessage;
      messages.push(m);
      const amount = m.type === "opportunity" ? opts.bid?.(m) : undefined;
      if (amount !== undefined)
        send({ type: "bid", callId: m.callId, campaignId: m.campaignId, bidMicros: amount });
      for (const w of waiters.splice(0)) w();
    }
  };
  socket.on("data", onData);
  if (head.length > 0) onData(head);
  socket.on("error", () => undefined);
  const bidder = {
    messages,
    /** The first message (in arrival order) matching `match`, waiting up to `timeoutMs` for it. */
    async next(match: (m: LiveMessage) => boolean, timeoutMs = 5_000): Promise<LiveMessage> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(match);
        if (found) return found;
        const left = until - Date.now();
        if (left <= 0) throw new Error(`no matching live message; got ${JSON.stringify(messages)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, left);
        });
      }
    },
    send,
    close() {
      socket.write(encodeFrame(OP.close, closePayload(1000), true));
      socket.end();
    },
  };
  await bidder.next((m) => m.type === "hello");
  return bidder;
}

/** A buyer-role API key for `buyerId`. */
export async function buyerKey(buyerId: string): Promise<string> {
  const res = await call<{ key: string }>("POST", "/v1/api-keys", {
    body: { accountId: buyerId, role: "buyer" },
  });
  if (res.status !== 201) throw new Error(`create buyer key: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.key;
}
