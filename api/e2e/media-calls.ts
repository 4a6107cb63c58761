// E2E helpers for the call-media tests (recordings, whisper), on top of the carrier helpers
// (carrier.ts): a voice webhook from a Florida caller, carrier-style ids, the call id in a callback
// URL, and the app role's handle on the stack's database for what no route shows (the audit rows).
import { randomBytes } from "node:crypto";
import { createDb } from "../db/client.ts";
import { twilioPost, voiceUrl } from "./carrier.ts";
import { voiceParams } from "./carrier-market.ts";

const APP_URL = process.env.DATABASE_URL ?? "postgres://dce:dce@127.0.0.1:5433/dce";
let handle: ReturnType<typeof createDb> | undefined;
/** One handle per test file; `closeDb` in afterAll. */
export const stackDb = () => {
  handle ??= createDb(APP_URL, 2);
  return handle.db;
};
export const closeDb = async () => {
  await handle?.sql.end({ timeout: 2 });
  handle = undefined;
};

/** A carrier-style id: `CA…` for calls and legs, `RE…` for recordings. */
export const sid = (prefix: string) => `${prefix}${randomBytes(16).toString("hex")}`;

/** Twilio's voice webhook for a call from a random Florida caller to the tracking number `to`. */
export function voiceWebhook(to: string, callSid = sid("CA")) {
  return twilioPost(voiceUrl("twilio"), voiceParams(to, callSid));
}

/** The call id in a callback URL `/v1/telephony/<provider>/calls/<callId>/...`. */
export const callIdOf = (url: string) => /\/calls\/([^/?]+)\//.exec(url)?.[1] ?? "";
