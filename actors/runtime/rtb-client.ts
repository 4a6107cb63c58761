// RTB's I/O half: POSTs one ping to a buyer's endpoint with a hard timeout and reads at most a small
// answer. Node's global fetch (undici) keeps connections alive, so repeat pings skip the TCP handshake.

import type { RtbExchange, RtbPing } from "../auction/rtb.ts";
import type { PiiKeyring } from "./pii-keys.ts";

/** Answers larger than this are not read further: a bid is a few hundred bytes. */
export const MAX_ANSWER_BYTES = 16 * 1024;

/**
 * Sends the ping; never throws. `now` stamps the arrival of the answer. The timeout covers the whole
 * exchange, body included, so a slow-dripping endpoint cannot hold the auction past its deadline.
 */
export async function postPing(
  url: string,
  ping: RtbPing,
  timeoutMs: number,
  now: () => number,
): Promise<RtbExchange> {
  if (timeoutMs <= 0) return { kind: "timeout" };
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(ping),
      signal,
      redirect: "error",
    });
    const text = (await readCapped(res)) ?? ""; // too large: reads as malformed
    return { kind: "answer", status: res.status, text, receivedAt: now() };
  } catch (err) {
    if (signal.aborted) return { kind: "timeout" };
    // Only the error's code: messages may echo the URL's query (buyers sometimes put tokens there).
    const code = (err as { cause?: { code?: unknown } }).cause?.code;
    return { kind: "error", detail: typeof code === "string" ? code : "fetch failed" };
  }
}

/** The body as text, or undefined once it grows past MAX_ANSWER_BYTES. */
async function readCapped(res: Response): Promise<string | undefined> {
  if (!res.body) return "";
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > MAX_ANSWER_BYTES) {
    await res.body.cancel();
    return undefined;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A stable opaque publisher id for pings: buyers can tell sources apart without learning account ids. */
export function publisherId(keys: PiiKeyring, sellerId: string): string {
  return keys.mac("pub_", `publisher\u0000${sellerId}`, 24);
}
