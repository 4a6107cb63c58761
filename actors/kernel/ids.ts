// Prefixed, time-sortable ids: `<prefix>_<12 hex ms><16 hex random>`.
import { randomFillSync } from "node:crypto";

// Random bytes drawn from the CSPRNG a pool at a time: an auction makes an id per bid (1,000 at 1,000
// candidates), and one randomBytes(8) each was a native call apiece. Every byte is handed out once.
const POOL_BYTES = 8 * 512;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

function random8Hex(): string {
  if (offset === POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  offset += 8;
  return pool.toString("hex", offset - 8, offset);
}

export function newId(prefix: string): string {
  const time = Date.now().toString(16).padStart(12, "0");
  return `${prefix}_${time}${random8Hex()}`;
}

const ID_PATTERN = /^[a-z]{2,8}_[0-9A-Za-z]{6,64}$/;

export function isId(value: unknown, prefix?: string): value is string {
  if (typeof value !== "string" || !ID_PATTERN.test(value)) return false;
  return prefix === undefined || value.startsWith(`${prefix}_`);
}
