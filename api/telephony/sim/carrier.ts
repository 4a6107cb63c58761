// The simulated carrier's call: posts the voice webhook, runs the verbs of each TwiML answer in order
// (Say, Pause, Gather, Dial, Redirect, Hangup), and follows every URL the answers give, as a carrier
// does. Simulated time: durations are numbers, nothing waits (but the optional jitter).
import { runDial } from "./dial.ts";
import { attestationParams, carrierId, promptSec, sayDurationSec, timestampAt } from "./params.ts";
import { parseTwiml, type Verb } from "./twiml.ts";
import type { CarrierAnswer, CarrierRequest, RequestKind, SimCall, SimOptions, SimResult } from "./types.ts";

/** A runaway loop of Redirects or actions ends the call, as a carrier's own limit would. */
const MAX_DOCUMENTS = 20;

/** The state of one simulated call, shared with the Dial executor. */
export interface Run {
  call: SimCall;
  opts: SimOptions;
  callSid: string;
  accountSid: string;
  /** The parameters every request about the caller's leg carries. */
  base: Record<string, string>;
  /** Seconds since the call began. */
  t: number;
  quitAt: number;
  result: SimResult;
  post(req: CarrierRequest, atSec: number, event?: string): Promise<CarrierAnswer>;
}

export interface Doc {
  url: string;
  verbs: Verb[];
}

export async function runCall(call: SimCall, opts: SimOptions): Promise<SimResult> {
  const run = newRun(call, opts);
  const { result } = run;
  const voice: CarrierRequest = {
    kind: "voice",
    url: call.voiceUrl,
    method: "POST",
    params: { ...run.base, CallStatus: "ringing" },
  };
  for (let i = 0; i <= (opts.faults?.voiceRetries ?? 0); i++)
    result.voiceAnswers.push(await run.post(voice, 0));
  let doc = toDoc(run, result.voiceAnswers[0]!, call.voiceUrl);
  if (!doc) result.end = result.voiceAnswers[0]!.status === 200 ? "error" : "refused";
  for (let hops = 0; doc && hops < MAX_DOCUMENTS; hops++) doc = await runDoc(run, doc);
  if (doc) {
    result.errors.push(`more than ${MAX_DOCUMENTS} documents: the call was ended`);
    result.end = "error";
  }
  result.endedAtSec = Math.min(run.t, run.quitAt);
  return result;
}

function newRun(call: SimCall, opts: SimOptions): Run {
  const callSid = call.callSid ?? carrierId(call.provider, "CA");
  const accountSid = carrierId(call.provider, "AC");
  const random = opts.random ?? Math.random;
  const result: SimResult = {
    callSid,
    voiceAnswers: [],
    said: [],
    legs: [],
    requests: [],
    endedAtSec: 0,
    end: "document-end",
    errors: [],
  };
  return {
    call,
    opts,
    callSid,
    accountSid,
    base: {
      AccountSid: accountSid,
      CallSid: callSid,
      From: call.from,
      To: call.to,
      Direction: "inbound",
      ApiVersion: "2010-04-01",
      ...(call.callerState ? { FromState: call.callerState, FromCountry: "US" } : {}),
      ...(call.callerZip ? { FromZip: call.callerZip } : {}),
      ...attestationParams(call.provider, call.attestation),
    },
    t: 0,
    quitAt: call.callerHangupAtSec ?? Number.POSITIVE_INFINITY,
    result,
    async post(req, atSec, event) {
      const jitter = opts.faults?.jitterMs ?? 0;
      if (jitter > 0) await new Promise((r) => setTimeout(r, Math.floor(random() * jitter)));
      const answer = await opts.send(req);
      result.requests.push({ ...req, ...answer, atSec, ...(event ? { event } : {}) });
      return answer;
    },
  };
}

/** The TwiML in an answer, or undefined (the call ends) when the exchange refused or sent no TwiML. */
export function toDoc(run: Run, answer: CarrierAnswer, url: string): Doc | undefined {
  if (answer.status !== 200) {
    run.result.errors.push(`${url} answered ${answer.status}`);
    return undefined;
  }
  try {
    return { url, verbs: parseTwiml(answer.body, url) };
  } catch (err) {
    run.result.errors.push(`${url}: ${(err as Error).message}`);
    return undefined;
  }
}

/** Fetches the next document from `url` (Redirect, Gather action), as the caller's leg. */
async function fetchDoc(run: Run, kind: RequestKind, url: string, method: string, extra = {}) {
  const params = {
    ...run.base,
    CallStatus: "in-progress",
    Timestamp: timestampAt(start(run), run.t),
    ...extra,
  };
  return toDoc(run, await run.post({ kind, url, method, params }, run.t), url);
}

const start = (run: Run) => run.opts.startedAt ?? new Date(0);

/** Runs one document; returns the next one to run, or undefined when the call is over. */
async function runDoc(run: Run, doc: Doc): Promise<Doc | undefined> {
  const { result } = run;
  for (const verb of doc.verbs) {
    if (run.t >= run.quitAt) {
      result.end = "caller";
      return undefined;
    }
    switch (verb.verb) {
      case "Say":
        result.said.push(verb.text);
        run.t += sayDurationSec(verb.text);
        break;
      case "Play":
        run.t += 5;
        break;
      case "Pause":
        run.t += verb.lengthSec;
        break;
      case "Hangup":
        result.end = "hangup";
        return undefined;
      case "Reject":
        result.end = "rejected";
        return undefined;
      case "Redirect":
        return fetchDoc(run, "redirect", verb.url, verb.method);
      case "Gather": {
        for (const p of verb.prompts) if (p.verb === "Say") result.said.push(p.text);
        run.t += promptSec(verb.prompts);
        const digits = run.call.callerDigits;
        if (digits && verb.action)
          return fetchDoc(run, "gather", verb.action, verb.method, { Digits: digits });
        run.t += verb.timeoutSec; // no input: on to the next verb
        break;
      }
      case "Dial": {
        const next = await runDial(run, verb);
        if (next !== "continue") return next;
        break;
      }
    }
  }
  result.end = run.t >= run.quitAt ? "caller" : "document-end";
  return undefined;
}
