// Carrier-side helpers for e2e tests: signed form POSTs as Twilio and Telnyx send them, the few TwiML
// facts a test reads (URLs, targets), and a tracking number on a seller campaign.

import { signTelnyx, signTwilio } from "../telephony/sign.ts";
import { call, randomCaller } from "./client.ts";
import { API, stackSecret } from "./stack.ts";

export interface XmlReply {
  status: number;
  text: string;
  contentType: string;
}

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

/** POSTs `params` to `url` (absolute, under the public URL) signed with the stack's Twilio token. */
export async function twilioPost(
  url: string,
  params: Record<string, string>,
  opts: { token?: string; signature?: string | null } = {},
): Promise<XmlReply> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  const sig =
    opts.signature === undefined
      ? signTwilio(url, params, opts.token ?? stackSecret("DCE_TWILIO_AUTH_TOKEN"))
      : opts.signature;
  if (sig !== null) headers["x-twilio-signature"] = sig;
  const res = await fetch(url, { method: "POST", headers, body: form(params) });
  return { status: res.status, text: await res.text(), contentType: res.headers.get("content-type") ?? "" };
}

/** POSTs `params` to `url` signed with the stack's simulated Telnyx key, at `timestampSec` (now). */
export async function telnyxPost(
  url: string,
  params: Record<string, string>,
  opts: { timestampSec?: number; privateKey?: string } = {},
): Promise<XmlReply> {
  const body = form(params);
  const ts = opts.timestampSec ?? Math.floor(Date.now() / 1000);
  const sig = signTelnyx(body, ts, opts.privateKey ?? stackSecret("DCE_TELNYX_SIM_PRIVATE_KEY"));
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "telnyx-timestamp": String(ts),
      "telnyx-signature-ed25519": sig,
    },
    body,
  });
  return { status: res.status, text: await res.text(), contentType: res.headers.get("content-type") ?? "" };
}

export const voiceUrl = (provider: "twilio" | "telnyx") => `${API}/v1/telephony/${provider}/voice`;

/** An attribute of the first `<tag ...>` in the XML (entities decoded), or undefined. */
export function attr(xml: string, tag: string, name: string): string | undefined {
  const el = new RegExp(`<${tag}\\b([^>]*)>`).exec(xml)?.[1];
  const raw = el ? new RegExp(`\\b${name}="([^"]*)"`).exec(el)?.[1] : undefined;
  return raw?.replace(/&amp;/g, "&");
}

/** The text of the first `<tag>` element. */
export function text(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}\\b[^>]*>([^<]*)</${tag}>`).exec(xml)?.[1];
}

/** A fresh tracking number assigned to the seller's campaign (admin key). */
export async function trackingNumber(sellerCampaignId: string, tags: string[] = []): Promise<string> {
  for (let i = 0; i < 5; i++) {
    const number = randomCaller("312");
    const res = await call("POST", "/v1/numbers", { body: { number, sellerCampaignId, tags } });
    if (res.status === 201) return number;
    if (res.status !== 409) throw new Error(`assign number: ${res.status} ${JSON.stringify(res.body)}`);
  }
  throw new Error("no free tracking number after 5 tries");
}
