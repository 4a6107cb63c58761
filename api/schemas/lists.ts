// Query parameters for list endpoints: filters and keyset pagination with an opaque cursor.
import * as v from "valibot";
import { atMost, IsoTime } from "./common.ts";

export const ListCalls = v.object({
  status: v.optional(
    v.picklist(["routed", "rejected", "no_bid", "ringing", "connected", "completed", "failed", "expired"]),
  ),
  sellerId: v.optional(v.pipe(v.string(), v.regex(/^sel_[0-9a-f]{28}$/))),
  buyerId: v.optional(v.pipe(v.string(), v.regex(/^byr_[0-9a-f]{28}$/))),
  from: v.optional(IsoTime),
  to: v.optional(IsoTime),
  limit: v.optional(
    v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(200)),
    "50",
  ),
  cursor: v.optional(v.pipe(v.string(), atMost("text.cursor"))),
});

export interface Cursor {
  at: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.at, c.id])).toString("base64url");
}

export function decodeCursor(raw: string): Cursor | undefined {
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as [unknown, unknown];
    return typeof at === "string" && typeof id === "string" ? { at, id } : undefined;
  } catch {
    return undefined;
  }
}
