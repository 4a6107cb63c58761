// The simulator's wire: each carrier request form-encoded and signed as its provider signs it (Twilio's
// X-Twilio-Signature over the URL and sorted parameters; Telnyx's Ed25519 over `timestamp|body`), with
// the carrier edge's own signing helper. `signature: "bad"` signs with a wrong secret, "missing" not at all.
import { generateKeyPairSync } from "node:crypto";
import { signTelnyx, signTwilio } from "../sign.ts";
import type { Provider } from "./params.ts";
import type { Send } from "./types.ts";

export interface Credentials {
  /** DCE_TWILIO_AUTH_TOKEN. */
  twilioAuthToken?: string;
  /** DCE_TELNYX_SIM_PRIVATE_KEY: PKCS8 DER in base64, the pair of DCE_TELNYX_PUBLIC_KEY. */
  telnyxPrivateKey?: string;
}

export type SignatureMode = "valid" | "bad" | "missing";

export function httpSend(opts: {
  provider: Provider;
  credentials: Credentials;
  signature?: SignatureMode;
  timeoutMs?: number;
  nowSec?: () => number;
}): Send {
  const mode = opts.signature ?? "valid";
  const nowSec = opts.nowSec ?? (() => Math.floor(Date.now() / 1000));
  return async (req) => {
    const form = new URLSearchParams(req.params).toString();
    const get = req.method.toUpperCase() === "GET";
    const url = get ? `${req.url}${req.url.includes("?") ? "&" : "?"}${form}` : req.url;
    const body = get ? "" : form;
    const headers: Record<string, string> = get
      ? {}
      : { "content-type": "application/x-www-form-urlencoded" };
    if (mode !== "missing")
      Object.assign(
        headers,
        signed(opts.provider, opts.credentials, mode, url, get ? {} : req.params, body, nowSec()),
      );
    const res = await fetch(url, {
      method: req.method,
      headers,
      body: get ? undefined : body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
    return { status: res.status, body: await res.text() };
  };
}

function signed(
  provider: Provider,
  creds: Credentials,
  mode: SignatureMode,
  url: string,
  params: Record<string, string>,
  body: string,
  ts: number,
): Record<string, string> {
  if (provider === "twilio") {
    if (!creds.twilioAuthToken) throw new Error("no Twilio auth token to sign with (DCE_TWILIO_AUTH_TOKEN)");
    const token = mode === "bad" ? `${creds.twilioAuthToken}-wrong` : creds.twilioAuthToken;
    return { "x-twilio-signature": signTwilio(url, params, token) };
  }
  if (!creds.telnyxPrivateKey) throw new Error("no Telnyx key to sign with (DCE_TELNYX_SIM_PRIVATE_KEY)");
  const key = mode === "bad" ? strangerKey() : creds.telnyxPrivateKey;
  return { "telnyx-signature-ed25519": signTelnyx(body, ts, key), "telnyx-timestamp": String(ts) };
}

/** A key pair nobody registered: its signatures are well-formed and wrong. */
function strangerKey(): string {
  const { privateKey } = generateKeyPairSync("ed25519");
  return privateKey.export({ format: "der", type: "pkcs8" }).toString("base64");
}
