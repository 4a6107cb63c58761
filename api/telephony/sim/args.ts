// The simulator's command line: `npm run sim -- --to <tracking number> --buyer <dest>=<script> …`,
// parsed into the call, the scripted buyers and the faults. Pure, so the grammar has tests.
import { parseArgs } from "node:util";
import type { BuyerBook, BuyerScript } from "./buyers.ts";
import type { SignatureMode } from "./http.ts";
import type { Faults, LegEventName, SimCall } from "./types.ts";

export const USAGE = `npm run sim -- --to <tracking number> [options]
  --from <E.164>             the caller (default a random Florida number)
  --caller-state <XX>        the caller's state as the carrier looks it up (FromState; default FL)
  --caller-zip <ZIP>         the caller's ZIP (FromZip)
  --provider twilio|telnyx   whose webhooks to play (default twilio)
  --api <url>                the exchange (default DCE_PUBLIC_URL, else http://127.0.0.1:8080)
  --call-sid <id>            the carrier call id (default a fresh one)
  --attestation A|B|C|failed|none   the caller's STIR/SHAKEN verdict (default A)
  --buyer <dest>=<script>    how a dialed destination behaves; repeatable. <script> is
                             answer[,ring=S][,talk=S][,by=buyer|caller][,digits=D] | no-answer | busy | failed
  --default-buyer <script>   any other destination (default answer,ring=3,talk=120)
  --caller-hangup <S>        the caller hangs up S seconds into the call
  --caller-digits <D>        digits the caller presses at a Gather
  --duplicate <list>         post these twice: initiated,ringing,answered,completed,action,recording
  --drop <list>              never deliver these buyer-leg events: initiated,ringing,answered,completed
  --order carrier|reverse|completed-first|shuffle   buyer-leg status callbacks' order
  --action-first             the Dial action before the leg's completed callback
  --voice-retries <N>        post the voice webhook N more times
  --jitter-ms <N>            wait up to N real ms before each request
  --signature valid|bad|missing
  --state-dir <dir>          where secrets.env is (default DCE_STATE_DIR, else .data)
  --json                     print the whole result as JSON`;

export interface CliRun {
  call: Omit<SimCall, "voiceUrl">;
  api: string;
  buyers: BuyerBook;
  faults: Faults;
  signature: SignatureMode;
  stateDir: string;
  json: boolean;
}

const num = (name: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} wants a non-negative number, got "${v}"`);
  return n;
};

/** `answer,ring=3,talk=125,by=buyer,digits=1`, `no-answer`, `busy` or `failed`. */
export function parseScript(spec: string): BuyerScript {
  const [outcome, ...opts] = spec.split(",").map((s) => s.trim());
  if (!["answer", "no-answer", "busy", "failed"].includes(outcome ?? ""))
    throw new Error(`a buyer script starts with answer, no-answer, busy or failed: "${spec}"`);
  const script: BuyerScript = { outcome: outcome as BuyerScript["outcome"] };
  for (const o of opts) {
    const [k, v] = o.split("=");
    if (k === "ring") script.ringSec = num("buyer ring", v);
    else if (k === "talk") script.talkSec = num("buyer talk", v);
    else if (k === "digits" && v) script.digits = v;
    else if (k === "by" && (v === "buyer" || v === "caller")) script.endedBy = v;
    else throw new Error(`unknown buyer option "${o}" in "${spec}"`);
  }
  return script;
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliRun {
  const { values } = parseArgs({
    args: argv,
    options: {
      to: { type: "string" },
      from: { type: "string" },
      "caller-state": { type: "string", default: "FL" },
      "caller-zip": { type: "string" },
      provider: { type: "string", default: "twilio" },
      api: { type: "string" },
      "call-sid": { type: "string" },
      attestation: { type: "string", default: "A" },
      buyer: { type: "string", multiple: true, default: [] },
      "default-buyer": { type: "string", default: "answer,ring=3,talk=120" },
      "caller-hangup": { type: "string" },
      "caller-digits": { type: "string" },
      duplicate: { type: "string" },
      drop: { type: "string" },
      order: { type: "string", default: "carrier" },
      "action-first": { type: "boolean", default: false },
      "voice-retries": { type: "string" },
      "jitter-ms": { type: "string" },
      signature: { type: "string", default: "valid" },
      "state-dir": { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  if (!values.to) throw new Error("--to <tracking number> is required");
  if (values.provider !== "twilio" && values.provider !== "telnyx")
    throw new Error("--provider is twilio or telnyx");
  if (!["carrier", "reverse", "completed-first", "shuffle"].includes(values.order))
    throw new Error(`unknown --order "${values.order}"`);
  if (!["valid", "bad", "missing"].includes(values.signature))
    throw new Error("--signature is valid, bad or missing");
  const buyers: BuyerBook = { default: parseScript(values["default-buyer"]) };
  for (const b of values.buyer) {
    const at = b.indexOf("=");
    if (at <= 0) throw new Error(`--buyer wants <destination>=<script>, got "${b}"`);
    buyers[b.slice(0, at)] = parseScript(b.slice(at + 1));
  }
  const EVENTS = ["initiated", "ringing", "answered", "completed"];
  const duplicate = list("duplicate", values.duplicate, [...EVENTS, "action", "recording"]) as (
    | LegEventName
    | "action"
    | "recording"
  )[];
  return {
    call: {
      provider: values.provider,
      from: values.from ?? randomFloridaCaller(),
      to: values.to,
      callerState: values["caller-state"],
      callerZip: values["caller-zip"],
      callSid: values["call-sid"],
      attestation: values.attestation,
      callerHangupAtSec: num("caller-hangup", values["caller-hangup"]),
      callerDigits: values["caller-digits"],
    },
    api: (values.api ?? env.DCE_PUBLIC_URL ?? "http://127.0.0.1:8080").replace(/\/$/, ""),
    buyers,
    faults: {
      duplicate,
      drop: list("drop", values.drop, EVENTS) as LegEventName[],
      order: values.order as Faults["order"],
      actionFirst: values["action-first"],
      voiceRetries: num("voice-retries", values["voice-retries"]),
      jitterMs: num("jitter-ms", values["jitter-ms"]),
    },
    signature: values.signature as SignatureMode,
    stateDir: values["state-dir"] ?? env.DCE_STATE_DIR ?? ".data",
    json: values.json,
  };
}

function list(name: string, raw: string | undefined, allowed: string[]): string[] {
  const items = raw ? raw.split(",").map((s) => s.trim()) : [];
  const bad = items.filter((i) => !allowed.includes(i));
  if (bad.length) throw new Error(`--${name} takes ${allowed.join(", ")}; not ${bad.join(", ")}`);
  return items;
}

function randomFloridaCaller(): string {
  const first = [2, 3, 4, 6, 7, 8, 9][Math.floor(Math.random() * 7)];
  return `+1305${first}${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
}
