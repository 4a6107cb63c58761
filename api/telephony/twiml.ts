// TwiML (and TeXML, the same verbs) answers, built with xmlbuilder2: a disclosure, the Dial to the
// winning buyer, a fallback, a hang-up. The Dial is built from one options object, so recording or
// whisper attributes slot in (`dialAttributes`, `targetAttributes`) without touching the rest.
import { create } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces.js";
import type { Destination } from "../../actors/buyer/buyer-api.ts";

/** The buyer leg's events reported to `statusCallback` (Twilio's names). */
export const BUYER_LEG_EVENTS = "initiated ringing answered completed";

export interface DialOptions {
  /** Where the carrier posts the Dial's outcome (DialCallStatus); its answer continues the call. */
  action: string;
  /** Seconds the buyer's phone rings before no-answer. */
  timeoutSec: number;
  /** Seconds the bridged call may last at most. */
  timeLimitSec: number;
  destination: Destination;
  /** Where the carrier posts the buyer leg's ringing/answered/completed. */
  statusCallback: string;
  /** The caller id presented to the buyer (the caller's number, when the seller campaign exposes it). */
  callerId?: string;
  /** More attributes on `<Dial>` (e.g. record, recordingStatusCallback). */
  dialAttributes?: Record<string, string>;
  /** More attributes on `<Number>`/`<Sip>` (e.g. url for a whisper). */
  targetAttributes?: Record<string, string>;
}

export type Step =
  | { say: string }
  | { dial: DialOptions }
  | { forward: { number: string; timeoutSec: number } }
  | { hangup: true };

/** Appends one `<Dial>` to `parent`: `<Number>` for an E.164 destination, `<Sip>` for a sip: URI. */
export function appendDial(parent: XMLBuilder, o: DialOptions): XMLBuilder {
  const dial = parent.ele("Dial", {
    action: o.action,
    method: "POST",
    timeout: String(o.timeoutSec),
    timeLimit: String(o.timeLimitSec),
    answerOnBridge: "true",
    ...(o.callerId ? { callerId: o.callerId } : {}),
    ...o.dialAttributes,
  });
  const leg = {
    statusCallbackEvent: BUYER_LEG_EVENTS,
    statusCallback: o.statusCallback,
    statusCallbackMethod: "POST",
    ...o.targetAttributes,
  };
  if (o.destination.sip) dial.ele("Sip", leg).txt(o.destination.sip);
  else dial.ele("Number", leg).txt(o.destination.number ?? "");
  return dial;
}

/** The XML document for these steps, in order. */
export function twiml(steps: Step[]): string {
  const doc = create({ version: "1.0", encoding: "UTF-8" });
  const response = doc.ele("Response");
  for (const s of steps) {
    if ("say" in s) response.ele("Say").txt(s.say);
    else if ("dial" in s) appendDial(response, s.dial);
    else if ("forward" in s)
      response
        .ele("Dial", { timeout: String(s.forward.timeoutSec) })
        .ele("Number")
        .txt(s.forward.number);
    else response.ele("Hangup");
  }
  return doc.end({ prettyPrint: false });
}
