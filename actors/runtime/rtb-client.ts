// RTB's I/O half: POSTs one ping to a buyer's endpoint through the egress guard (no internal
// destinations, no redirects) with a hard timeout, and reads at most a small answer.
import type { RtbExchange, RtbPing } from "../auction/rtb.ts";
import { type EgressPolicy, egressSend, TimeoutError } from "../platform/egress.ts";
import type { PiiKeyring } from "../platform/pii-keys.ts";

/** Answers larger than this are not read further: a bid is a few hundred bytes. */
export const MAX_ANSWER_BYTES = 16 * 1024;

/**
 * Sends the ping; never throws. `now` stamps the arrival of the answer. The timeout covers the whole
 * exchange, body included, so a slow-dripping endpoint cannot hold the auction past its deadline. A
 * refused destination is an error with detail `destination_not_allowed`; a 3xx is an answer that
 * loses as `rtb_error` (never followed).
 */
export async function postPing(
  url: string,
  ping: RtbPing,
  timeoutMs: number,
  now: () => number,
  policy: EgressPolicy,
): Promise<RtbExchange> {
  if (timeoutMs <= 0) return { kind: "timeout" };
  try {
    const res = await egressSend(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(ping),
        timeoutMs,
        maxBytes: MAX_ANSWER_BYTES,
      },
      policy,
    );
    // Too large reads as malformed.
    return { kind: "answer", status: res.status, text: res.truncated ? "" : res.text, receivedAt: now() };
  } catch (err) {
    if (err instanceof TimeoutError) return { kind: "timeout" };
    // Only the error's code: messages may echo the URL's query (buyers sometimes put tokens there).
    const code = (err as { code?: unknown }).code;
    return { kind: "error", detail: typeof code === "string" ? code : "request failed" };
  }
}

/** A stable opaque publisher id for pings: buyers can tell sources apart without learning account ids. */
export function publisherId(keys: PiiKeyring, sellerId: string): string {
  return keys.mac("pub_", `publisher\u0000${sellerId}`, 24);
}
