// Prefixed, time-sortable ids: `<prefix>_<12 hex ms><16 hex random>`.
import { randomBytes } from "node:crypto";

export function newId(prefix: string): string {
  const time = Date.now().toString(16).padStart(12, "0");
  return `${prefix}_${time}${randomBytes(8).toString("hex")}`;
}

const ID_PATTERN = /^[a-z]{2,8}_[0-9A-Za-z]{6,64}$/;

export function isId(value: unknown, prefix?: string): value is string {
  if (typeof value !== "string" || !ID_PATTERN.test(value)) return false;
  return prefix === undefined || value.startsWith(`${prefix}_`);
}
