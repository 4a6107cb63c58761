// Test bidders for e2e: a local RTB endpoint (a real HTTP server on 127.0.0.1, random port) and a live
// WebSocket bidder (the `ws` client: Node 20 has no WebSocket client without a flag).
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket } from "ws";
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
 * A live bidder connected to GET /v1/live (through `base`, the stack's API by default); resolves once the
 * feed said hello. `bid` answers each opportunity as it arrives with an amount in micros, or stays
 * silent when it returns undefined. `closed` resolves with the close code and reason the server sent.
 */
export async function liveBidder(opts: {
  key: string;
  buyerId?: string;
  viaSubprotocol?: boolean;
  bid?: (opportunity: LiveMessage) => number | undefined;
  base?: string;
}) {
  const url = `${(opts.base ?? API).replace(/^http/, "ws")}/v1/live${opts.buyerId ? `?buyerId=${opts.buyerId}` : ""}`;
  const protocols = opts.viaSubprotocol ? ["dce.v1", `dce.key.${opts.key}`] : ["dce.v1"];
  const headers: Record<string, string> = opts.viaSubprotocol ? {} : { authorization: `Bearer ${opts.key}` };
  const ws = new WebSocket(url, protocols, { headers });
  const messages: LiveMessage[] = [];
  const waiters: (() => void)[] = [];
  const send = (message: unknown) => ws.send(JSON.stringify(message));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const w of waiters.splice(0)) w();
    }),
  );
  ws.on("message", (data, isBinary) => {
    if (isBinary) return;
    const m = JSON.parse(String(data)) as LiveMessage;
    messages.push(m);
    const amount = m.type === "opportunity" ? opts.bid?.(m) : undefined;
    if (amount !== undefined)
      send({ type: "bid", callId: m.callId, campaignId: m.campaignId, bidMicros: amount });
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_req, res) => reject(new Error(`no upgrade: HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
  ws.on("error", () => undefined);
  const bidder = {
    messages,
    closed,
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
      ws.close(1000);
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
