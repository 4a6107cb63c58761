// The live feed's WebSocket server: the `ws` library (RFC 6455 framing, limits, close handshake) set up
// for @hono/node-server's `upgradeWebSocket`, plus the two policies `ws` leaves to us: heartbeats that
// drop dead peers, and a send that drops a slow consumer instead of buffering for it without bound.
import { type WebSocket, WebSocketServer } from "ws";

export interface LiveSocketOptions {
  /** Subprotocols this server speaks; the first one the client offers is selected. */
  protocols?: string[];
  /** Largest message a client may send, in bytes (bids are about 100 bytes). */
  maxPayload?: number;
  /** Most frames one message may arrive in; past it the connection is closed with 1008. */
  maxFragments?: number;
  /** A ping goes out this often; a peer that has not answered the previous ping is dropped. */
  heartbeatMs?: number;
}

/** Close codes the feed uses besides the standard ones `ws` sends itself (1002, 1007, 1008, 1009). */
export const CLOSE = {
  goingAway: 1001,
  policy: 1008,
  tryAgain: 1011,
} as const;

/** Bytes that may wait in a connection's send buffer; past it the reader is too slow and is dropped. */
export const MAX_BUFFERED_BYTES = 1 << 20;

const alive = new WeakSet<WebSocket>();

export function createLiveSocketServer(opts: LiveSocketOptions = {}): WebSocketServer {
  const protocols = opts.protocols ?? [];
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxPayload ?? 16 * 1024,
    maxFragments: opts.maxFragments ?? 64,
    perMessageDeflate: false, // compression costs memory per connection and invites zip bombs
    handleProtocols: (offered) => protocols.find((p) => offered.has(p)) ?? false,
  } as ConstructorParameters<typeof WebSocketServer>[0]);
  wss.on("connection", (ws) => {
    alive.add(ws);
    ws.on("pong", () => alive.add(ws));
    // `ws` reports protocol violations (too big, too many fragments) as "error" after closing with the
    // matching code; an unhandled "error" event would throw, so it is only noted here.
    ws.on("error", () => ws.terminate());
  });
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, opts.heartbeatMs ?? 15_000).unref();
  wss.on("close", () => {
    clearInterval(heartbeat);
    for (const ws of wss.clients) ws.close(CLOSE.goingAway, "server stopping");
  });
  return wss;
}

/**
 * Sends `text` unless the peer is not reading: a connection whose unsent bytes pass `maxBuffered` is
 * closed (1008) and cut, so one slow consumer cannot make this process hold its backlog in memory.
 */
export function sendBounded(ws: WebSocket, text: string, maxBuffered = MAX_BUFFERED_BYTES): boolean {
  if (ws.readyState !== ws.OPEN) return false;
  if (ws.bufferedAmount + text.length > maxBuffered) {
    ws.close(CLOSE.policy, "too slow: send buffer full");
    ws.terminate();
    return false;
  }
  ws.send(text);
  return true;
}
