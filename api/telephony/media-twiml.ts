// TwiML for call media: the Dial attributes that record a call, the `<Number url>` that whispers to
// the buyer's agent, and the whisper and accept answers themselves (press 1 to accept).
import { create } from "xmlbuilder2";

/** The seconds the agent has to press a key after the whisper. */
export const ACCEPT_TIMEOUT_SEC = 8;
export const ACCEPT_PROMPT = "Press 1 to accept this call.";

/** `<Dial>` attributes: record from answer, both legs on their own channels, completed reported once. */
export function recordingDialAttributes(callbackUrl: string): Record<string, string> {
  return {
    record: "record-from-answer-dual",
    recordingStatusCallback: callbackUrl,
    recordingStatusCallbackMethod: "POST",
    recordingStatusCallbackEvent: "completed",
  };
}

/** `<Number>`/`<Sip>` attributes: the carrier fetches `url` when the buyer answers, before bridging. */
export function whisperTargetAttributes(whisperUrl: string): Record<string, string> {
  return { url: whisperUrl, method: "POST" };
}

const doc = () => create({ version: "1.0", encoding: "UTF-8" });

/**
 * Played to the buyer's agent. Without acceptance, the message, then the bridge. With it, a one-digit
 * `<Gather>` posting to `acceptUrl`; silence falls through to a `<Redirect>` to the same URL without
 * Digits, whose answer is `<Hangup/>` (the exchange then moves the call on to the next bid).
 */
export function whisperTwiml(message: string, acceptUrl?: string): string {
  const d = doc();
  const r = d.ele("Response");
  if (!acceptUrl) {
    r.ele("Say").txt(message);
    return d.end({ prettyPrint: false });
  }
  const gather = r.ele("Gather", {
    numDigits: "1",
    action: acceptUrl,
    method: "POST",
    timeout: String(ACCEPT_TIMEOUT_SEC),
  });
  gather.ele("Say").txt(message);
  gather.ele("Say").txt(ACCEPT_PROMPT);
  r.ele("Redirect", { method: "POST" }).txt(acceptUrl);
  return d.end({ prettyPrint: false });
}

/** The accept answer: empty (the carrier bridges the call) when accepted, else a hang-up. */
export function acceptTwiml(accepted: boolean): string {
  const d = doc();
  const r = d.ele("Response");
  if (!accepted) r.ele("Hangup");
  return d.end({ prettyPrint: false });
}
