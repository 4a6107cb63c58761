// A raw WebSocket client for tests: the handshake over a bare TCP socket, then hand-made frames, so a
// test can send what no well-behaved client library would (floods of fragments, unanswered pings).
import { once } from "node:events";
import { connect, type Socket } from "node:net";

/** A client frame (masked with a zero mask, which is allowed) of up to 125 bytes. */
export const frame = (fin: boolean, opcode: number, payload = Buffer.alloc(0)) =>
  Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | payload.length, 0, 0, 0, 0]), payload]);

/** A raw TCP client that completed the WebSocket handshake; `received` collects what came after. */
export async function rawClient(url: string, headers: Record<string, string> = {}) {
  const { hostname, port, pathname, search } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  await once(socket, "connect");
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  socket.write(
    `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
      `Sec-WebSocket-Protocol: dce.v1\r\n${extra.join("")}\r\n`,
  );
  let buffered = Buffer.alloc(0);
  const headersDone = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      const status = buffered.subarray(0, end).toString().split("\r\n")[0]!;
      if (!status.startsWith("HTTP/1.1 101")) return reject(new Error(`no upgrade: ${status}`));
      buffered = buffered.subarray(end + 4);
      resolve();
    };
    socket.on("data", onData);
  });
  await headersDone;
  const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
  });
  socket.on("error", () => undefined);
  return { socket, ended, received: () => buffered };
}

/** The code of the first close frame (opcode 8) among unmasked server frames. */
export function closeCode(bytes: Buffer): number | undefined {
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at]! & 0x0f;
    let len = bytes[at + 1]! & 0x7f;
    let head = 2;
    if (len === 126) {
      len = bytes.readUInt16BE(at + 2);
      head = 4;
    }
    if (opcode === 8) return bytes.readUInt16BE(at + head);
    at += head + len;
  }
  return undefined;
}
