// RFC 6455 framing for the live feed, both directions: the server reads masked client frames, and the
// e2e bidders (Node 20 has no WebSocket client without a flag) write them. No extensions, small frames.
import { randomBytes } from "node:crypto";

export const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** A protocol violation, with the close code to answer it with (1002 protocol, 1009 too big). */
export class FrameError extends Error {
  constructor(
    readonly closeCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** One frame; `masked` is for clients, which must mask everything they send. */
export function encodeFrame(opcode: number, payload: Buffer, masked = false, fin = true): Buffer {
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65_536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (masked ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | opcode;
  head[1] = (masked ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(len, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
  if (!masked) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  key.copy(head, 2 + ext);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= key[i & 3]!;
  return Buffer.concat([head, body]);
}

export function closePayload(code: number, reason = ""): Buffer {
  const out = Buffer.alloc(2 + Buffer.byteLength(reason));
  out.writeUInt16BE(code, 0);
  out.write(reason, 2);
  return out;
}

/** Turns a byte stream into frames; throws FrameError on anything RFC 6455 forbids or too large. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly opts: { maxPayload: number; expectMasked: boolean }) {}

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      const frame = this.next();
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  private next(): Frame | undefined {
    const b = this.buf;
    if (b.length < 2) return undefined;
    const fin = (b[0]! & 0x80) !== 0;
    const opcode = b[0]! & 0x0f;
    if ((b[0]! & 0x70) !== 0) throw new FrameError(1002, "reserved bits set (no extensions were agreed)");
    if (![0, 1, 2, 8, 9, 10].includes(opcode)) throw new FrameError(1002, `unknown opcode ${opcode}`);
    const masked = (b[1]! & 0x80) !== 0;
    if (masked !== this.opts.expectMasked)
      throw new FrameError(1002, masked ? "unexpected mask" : "frames must be masked");
    let len = b[1]! & 0x7f;
    let offset = 2;
    if (len === 126) {
      if (b.length < 4) return undefined;
      len = b.readUInt16BE(2);
      offset = 4;
    } else if (len === 127) {
      if (b.length < 10) return undefined;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(this.opts.maxPayload)) throw new FrameError(1009, "frame too large");
      len = Number(big);
      offset = 10;
    }
    if (opcode >= 8 && (!fin || len > 125)) throw new FrameError(1002, "bad control frame");
    if (len > this.opts.maxPayload) throw new FrameError(1009, "frame too large");
    const start = offset + (masked ? 4 : 0);
    if (b.length < start + len) return undefined;
    const payload = Buffer.from(b.subarray(start, start + len));
    if (masked) for (let i = 0; i < len; i++) payload[i]! ^= b[offset + (i & 3)]!;
    this.buf = b.subarray(start + len);
    return { fin, opcode, payload };
  }
}
