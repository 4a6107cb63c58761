// A small WebSocket server (RFC 6455, text frames, no extensions) for @hono/node-server's built-in
// `upgradeWebSocket`: that adapter takes any `ws`-like server, and this one needs no extra dependency.
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { closePayload, encodeFrame, FrameError, FrameReader, OP } from "./frames.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export interface LiveSocketOptions {
  /** Subprotocols this server speaks; the first one the client offers is selected. */
  protocols?: string[];
  maxPayload?: number;
  /** A ping goes out this often; a peer silent for three intervals is dropped. */
  heartbeatMs?: number;
}

export class LiveSocket extends EventEmitter {
  readyState: 0 | 1 | 2 | 3 = 1;
  lastSeen = Date.now();
  private readonly reader: FrameReader;
  private fragments: Buffer[] = [];
  private fragmentOp = 0;

  constructor(
    private readonly socket: Duplex,
    readonly protocol: string,
    private readonly maxPayload: number,
  ) {
    super();
    this.reader = new FrameReader({ maxPayload, expectMasked: true });
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    // An unhandled "error" event would throw: report it only to listeners (the socket then closes).
    socket.on("error", (err) => this.listenerCount("error") > 0 && this.emit("error", err));
    socket.on("close", () => this.finish(1006, ""));
  }

  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.readyState !== 1) return;
    if (typeof data === "string") this.socket.write(encodeFrame(OP.text, Buffer.from(data)));
    else this.socket.write(encodeFrame(OP.binary, Buffer.from(data as ArrayBuffer)));
  }

  ping(): void {
    if (this.readyState === 1) this.socket.write(encodeFrame(OP.ping, Buffer.alloc(0)));
  }

  close(code = 1000, reason = ""): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    this.socket.write(encodeFrame(OP.close, closePayload(code, reason.slice(0, 100))));
    setTimeout(() => this.socket.destroy(), 1_000).unref();
  }

  /** Bytes that arrived with the upgrade request. */
  feed(chunk: Buffer): void {
    this.onData(chunk);
  }

  private onData(chunk: Buffer) {
    this.lastSeen = Date.now();
    try {
      for (const f of this.reader.push(chunk)) this.onFrame(f.fin, f.opcode, f.payload);
    } catch (err) {
      const code = err instanceof FrameError ? err.closeCode : 1011;
      this.close(code, err instanceof Error ? err.message : "error");
      this.socket.destroy();
    }
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer) {
    if (opcode === OP.ping) return this.socket.write(encodeFrame(OP.pong, payload));
    if (opcode === OP.pong) return;
    if (opcode === OP.close) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      if (this.readyState === 1) this.close(code === 1005 ? 1000 : code);
      this.socket.end();
      return this.finish(code, payload.subarray(2).toString("utf8"));
    }
    if (opcode !== OP.continuation) {
      if (this.fragments.length > 0) throw new FrameError(1002, "a new message inside a fragmented one");
      this.fragmentOp = opcode;
    } else if (this.fragments.length === 0) throw new FrameError(1002, "continuation without a message");
    this.fragments.push(payload);
    const size = this.fragments.reduce((n, p) => n + p.length, 0);
    if (size > this.maxPayload) throw new FrameError(1009, "message too large");
    if (!fin) return;
    const message = Buffer.concat(this.fragments);
    this.fragments = [];
    if (this.readyState === 1) this.emit("message", message, this.fragmentOp === OP.binary);
  }

  private finish(code: number, reason: string) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.emit("close", code, Buffer.from(reason));
  }
}

export class LiveSocketServer extends EventEmitter {
  readonly options = { noServer: true };
  private readonly sockets = new Set<LiveSocket>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly opts: LiveSocketOptions = {}) {
    super();
    const every = opts.heartbeatMs ?? 15_000;
    this.heartbeat = setInterval(() => {
      for (const s of this.sockets) {
        if (Date.now() - s.lastSeen > 3 * every) s.close(1001, "no heartbeat");
        else s.ping();
      }
    }, every).unref();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, done: (ws: LiveSocket) => void): void {
    const key = req.headers["sec-websocket-key"];
    if (
      req.headers["sec-websocket-version"] !== "13" ||
      typeof key !== "string" ||
      !/^[A-Za-z0-9+/]{22}==$/.test(key)
    ) {
      socket.end("HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\nConnection: close\r\n\r\n");
      return;
    }
    const offered = String(req.headers["sec-websocket-protocol"] ?? "")
      .split(",")
      .map((p) => p.trim());
    const protocol = (this.opts.protocols ?? []).find((p) => offered.includes(p)) ?? "";
    const accept = createHash("sha1")
      .update(key + GUID)
      .digest("base64");
    const lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade"];
    lines.push(`Sec-WebSocket-Accept: ${accept}`);
    if (protocol) lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
    this.emit("headers", lines);
    socket.write(`${lines.join("\r\n")}\r\n\r\n`);
    (socket as Duplex & { setNoDelay?(v: boolean): void }).setNoDelay?.(true);
    const ws = new LiveSocket(socket, protocol, this.opts.maxPayload ?? 16 * 1024);
    this.sockets.add(ws);
    ws.on("close", () => this.sockets.delete(ws));
    done(ws);
    if (head.length > 0) setImmediate(() => ws.feed(head));
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const s of this.sockets) s.close(1001, "server stopping");
  }
}
