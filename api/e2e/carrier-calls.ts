// E2E helpers for calls that come through a carrier: a tracking number for a seller campaign, signed
// Twilio form POSTs to the exchange (as the carrier would send them), and reading the TwiML back.
import { randomBytes } from "node:crypto";
import { createDb } from "../db/client.ts";
import { assignNumber } from "../numbers/store.ts";
import { signTwilio } from "../telephony/sign.ts";
import { randomCaller } from "./client.ts";
import { API, stackSecret } from "./stack.ts";

const APP_URL = process.env.DATABASE_URL ?? "postgres://dce:dce@127.0.0.1:5433/dce";
let handle: ReturnType<typeof createDb> | undefined;
/** The app role's handle on the stack's database (one per test file; `closeDb` in afterAll). */
export const stackDb = () => {
  handle ??= createDb(APP_URL, 2);
  return handle.db;
};
export const closeDb = async () => {
  await handle?.sql.end({ timeout: 2 });
  handle = undefined;
};

export const sid = (prefix: string) => `${prefix}${randomBytes(16).toString("hex")}`;

/** A fresh tracking number assigned to the seller campaign (written as the numbers API would). */
export async function trackingNumber(sellerId: string, sellerCampaignId: string): Promise<string> {
  const number = randomCaller("212");
  const row = await assignNumber(
    stackDb(),
    { number, sellerId, sellerCampaignId, tags: [] },
    { keyId: "e2e" },
    Date.now(),
  );
  if (!row) throw new Error(`number ${number} taken`);
  return number;
}

/** A Twilio-signed form POST to an absolute exchange URL (the public URL is the local API's). */
export async function carrierPost(url: string, params: Record<string, string>, signed = true) {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (signed) headers["x-twilio-signature"] = signTwilio(url, params, stackSecret("DCE_TWILIO_AUTH_TOKEN"));
  const res = await fetch(url, { method: "POST", headers, body: new URLSearchParams(params).toString() });
  return { status: res.status, text: await res.text() };
}

/** The carrier's voice webhook for a call from a random Florida caller to `to`. */
export function voiceWebhook(to: string, callSid = sid("CA")) {
  return carrierPost(`${API}/v1/telephony/twilio/voice`, {
    CallSid: callSid,
    AccountSid: "AC00000000000000000000000000000000",
    From: randomCaller(),
    To: to,
    CallStatus: "ringing",
    Direction: "inbound",
    ApiVersion: "2010-04-01",
    FromState: "FL",
  });
}

const unescapeXml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** An attribute of the first `<tag>` in the XML, unescaped; undefined when absent. */
export function attr(xml: string, tag: string, name: string): string | undefined {
  const el = new RegExp(`<${tag}\\b[^>]*>`).exec(xml)?.[0];
  const m = el && new RegExp(`\\s${name}="([^"]*)"`).exec(el);
  return m ? unescapeXml(m[1]!) : undefined;
}

/** The text of the first `<tag>` (e.g. the dialed number). */
export function text(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}\\b[^>]*>([^<]*)</${tag}>`).exec(xml);
  return m ? unescapeXml(m[1]!) : undefined;
}

/** The call id in a callback URL `/v1/telephony/<provider>/calls/<callId>/...`. */
export const callIdOf = (url: string) => /\/calls\/([^/?]+)\//.exec(url)?.[1] ?? "";
