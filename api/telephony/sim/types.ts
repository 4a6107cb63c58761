// The simulator's vocabulary: the call it plays, the faults it injects, what it posts and what it saw.
import type { BuyerBook, Leg } from "./buyers.ts";
import type { Provider } from "./params.ts";

export type RequestKind = "voice" | "redirect" | "gather" | "action" | "status" | "recording" | "whisper";

export interface CarrierRequest {
  kind: RequestKind;
  url: string;
  method: string;
  params: Record<string, string>;
}

export interface CarrierAnswer {
  status: number;
  body: string;
}

/** Delivers one request to the exchange (signed, over HTTP in `http.ts`) and returns its answer. */
export type Send = (req: CarrierRequest) => Promise<CarrierAnswer>;

/** A request as posted, with the simulated second it belongs to and the answer it got. */
export interface Posted extends CarrierRequest, CarrierAnswer {
  atSec: number;
  /** For buyer-leg status callbacks: initiated, ringing, answered or completed. */
  event?: string;
}

/** One inbound call on a tracking number. */
export interface SimCall {
  provider: Provider;
  /** The exchange's voice webhook, e.g. `http://127.0.0.1:8080/v1/telephony/twilio/voice`. */
  voiceUrl: string;
  from: string;
  to: string;
  /** The caller's state and ZIP as the carrier's lookup gives them (FromState, FromZip). */
  callerState?: string;
  callerZip?: string;
  /** The carrier's call id (generated when absent). */
  callSid?: string;
  /** The caller's STIR/SHAKEN attestation letter (A, B, C), or "failed" / "none". */
  attestation?: string;
  /** Seconds after the call began at which the caller hangs up (never, when absent). */
  callerHangupAtSec?: number;
  /** Digits the caller presses at a `<Gather>` on the caller's leg. */
  callerDigits?: string;
}

export type LegEventName = "initiated" | "ringing" | "answered" | "completed";

/** Carrier misbehaviour to inject; all off by default. */
export interface Faults {
  /** Post the voice webhook this many more times with the same CallSid (a carrier retry). */
  voiceRetries?: number;
  /** Post these requests twice: buyer-leg events by name, or "action" / "recording". */
  duplicate?: (LegEventName | "action" | "recording")[];
  /** Never deliver these buyer-leg events (a callback the carrier lost, e.g. completed without answered). */
  drop?: LegEventName[];
  /** The order of each buyer leg's status callbacks: as they happened, reversed, completed first, shuffled. */
  order?: "carrier" | "reverse" | "completed-first" | "shuffle";
  /** Post the Dial action before the leg's completed (and recording) callbacks. */
  actionFirst?: boolean;
  /** Wait up to this many real milliseconds before each request. */
  jitterMs?: number;
}

export interface SimOptions {
  send: Send;
  buyers: BuyerBook;
  faults?: Faults;
  /** The simulated clock's start (Timestamp parameters are derived from it). */
  startedAt?: Date;
  /** Randomness for shuffling and jitter (Math.random by default). */
  random?: () => number;
  /** Where recordings "are" (RecordingUrl = this + the recording sid). */
  recordingBaseUrl?: string;
}

export interface LegRecord extends Leg {
  sid: string;
  to: string;
  bridged: boolean;
  recordingSid?: string;
}

export interface SimResult {
  callSid: string;
  /** Every answer to the voice webhook, retries included, in order. */
  voiceAnswers: CarrierAnswer[];
  said: string[];
  legs: LegRecord[];
  requests: Posted[];
  endedAtSec: number;
  /** How the call ended: a Hangup/Reject verb, the caller, the document running out, or the webhook refused. */
  end: "hangup" | "rejected" | "caller" | "document-end" | "refused" | "error";
  errors: string[];
}
