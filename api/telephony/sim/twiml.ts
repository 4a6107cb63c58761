// The simulator's reading of a TwiML/TeXML answer: the XML parsed with fast-xml-parser (order kept) into
// a list of typed verbs with Twilio's documented defaults filled in and every URL made absolute.
import { XMLParser } from "fast-xml-parser";

/** One `<Number>` or `<Sip>` of a `<Dial>`: the buyer leg the carrier places. */
export interface DialTarget {
  kind: "number" | "sip";
  value: string;
  /** TwiML run on the buyer's leg once it answers, before bridging (a whisper, press-1). */
  url?: string;
  method: string;
  statusCallback?: string;
  statusCallbackMethod: string;
  /** Which of initiated/ringing/answered/completed the carrier reports (Twilio: "completed" by default). */
  statusCallbackEvents: string[];
}

export interface DialVerb {
  verb: "Dial";
  action?: string;
  method: string;
  timeoutSec: number;
  timeLimitSec: number;
  answerOnBridge: boolean;
  callerId?: string;
  /** `record-from-answer`, `record-from-answer-dual`, … (absent or `do-not-record`: none). */
  record?: string;
  recordingStatusCallback?: string;
  recordingStatusCallbackMethod: string;
  recordingStatusCallbackEvents: string[];
  targets: DialTarget[];
}

export interface GatherVerb {
  verb: "Gather";
  action?: string;
  method: string;
  numDigits?: number;
  timeoutSec: number;
  finishOnKey: string;
  /** The prompts nested in the Gather (Say, Play, Pause). */
  prompts: Verb[];
}

export type Verb =
  | { verb: "Say"; text: string }
  | { verb: "Play"; url: string }
  | { verb: "Pause"; lengthSec: number }
  | DialVerb
  | GatherVerb
  | { verb: "Hangup" }
  | { verb: "Reject"; reason: string }
  | { verb: "Redirect"; url: string; method: string };

export class TwimlError extends Error {}

type Node = Record<string, unknown> & { ":@"?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false, // "+13059870000" stays a string
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

const nameOf = (n: Node) => Object.keys(n).find((k) => k !== ":@")!;
const childrenOf = (n: Node) => (n[nameOf(n)] as Node[] | undefined) ?? [];
const textOf = (n: Node) =>
  childrenOf(n)
    .map((c) => (typeof c["#text"] === "string" ? c["#text"] : ""))
    .join("")
    .trim();
const words = (s: string | undefined, dflt: string[]) => (s ? s.trim().split(/[\s,]+/) : dflt);

function int(attrs: Record<string, string>, name: string, dflt: number): number {
  const raw = attrs[name];
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new TwimlError(`${name}="${raw}" is not a whole number`);
  return n;
}

/** Parses a TwiML document fetched from `docUrl` (relative URLs in it resolve against that). */
export function parseTwiml(xml: string, docUrl: string): Verb[] {
  let doc: Node[];
  try {
    doc = parser.parse(xml) as Node[];
  } catch (err) {
    throw new TwimlError(`not XML: ${(err as Error).message}`);
  }
  const root = doc.find((n) => nameOf(n) === "Response");
  if (!root) throw new TwimlError("the document has no <Response> root");
  const abs = (u: string | undefined) => (u === undefined ? undefined : new URL(u, docUrl).toString());
  return childrenOf(root)
    .filter((n) => !("#text" in n))
    .map((n) => verbOf(n, abs));
}

function verbOf(n: Node, abs: (u: string | undefined) => string | undefined): Verb {
  const name = nameOf(n);
  const a = n[":@"] ?? {};
  switch (name) {
    case "Say":
      return { verb: "Say", text: textOf(n) };
    case "Play":
      return { verb: "Play", url: textOf(n) };
    case "Pause":
      return { verb: "Pause", lengthSec: int(a, "length", 1) };
    case "Hangup":
      return { verb: "Hangup" };
    case "Reject":
      return { verb: "Reject", reason: a.reason ?? "rejected" };
    case "Redirect":
      return { verb: "Redirect", url: abs(textOf(n))!, method: a.method ?? "POST" };
    case "Gather":
      return {
        verb: "Gather",
        action: abs(a.action),
        method: a.method ?? "POST",
        numDigits: a.numDigits === undefined ? undefined : int(a, "numDigits", 1),
        timeoutSec: int(a, "timeout", 5),
        finishOnKey: a.finishOnKey ?? "#",
        prompts: childrenOf(n)
          .filter((c) => !("#text" in c))
          .map((c) => verbOf(c, abs)),
      };
    case "Dial":
      return dialOf(n, a, abs);
    default:
      throw new TwimlError(`unknown verb <${name}>`);
  }
}

function dialOf(n: Node, a: Record<string, string>, abs: (u: string | undefined) => string | undefined) {
  const nouns = childrenOf(n).filter((c) => !("#text" in c));
  const targets: DialTarget[] = nouns.map((c) => {
    const kind = nameOf(c);
    if (kind !== "Number" && kind !== "Sip") throw new TwimlError(`<Dial> cannot hold <${kind}> here`);
    const t = c[":@"] ?? {};
    const statusCallback = abs(t.statusCallback);
    return {
      kind: kind === "Number" ? "number" : "sip",
      value: textOf(c),
      url: abs(t.url),
      method: t.method ?? "POST",
      statusCallback,
      statusCallbackMethod: t.statusCallbackMethod ?? "POST",
      statusCallbackEvents: words(t.statusCallbackEvent, ["completed"]),
    };
  });
  // `<Dial>+13055550100</Dial>`: a bare number as the Dial's text.
  if (targets.length === 0 && textOf(n)) {
    targets.push({
      kind: "number",
      value: textOf(n),
      method: "POST",
      statusCallbackMethod: "POST",
      statusCallbackEvents: [],
    });
  }
  if (targets.length === 0) throw new TwimlError("<Dial> has nothing to dial");
  const record = a.record && a.record !== "do-not-record" ? a.record : undefined;
  return {
    verb: "Dial" as const,
    action: abs(a.action),
    method: a.method ?? "POST",
    timeoutSec: int(a, "timeout", 30),
    timeLimitSec: int(a, "timeLimit", 14_400),
    answerOnBridge: a.answerOnBridge === "true",
    callerId: a.callerId,
    record,
    recordingStatusCallback: abs(a.recordingStatusCallback),
    recordingStatusCallbackMethod: a.recordingStatusCallbackMethod ?? "POST",
    recordingStatusCallbackEvents: words(a.recordingStatusCallbackEvent, ["completed"]),
    targets,
  };
}
