// A simulated call told as a carrier's debugger would: each request with its simulated second and the
// exchange's answer, then the buyer legs and how the call ended.
import type { SimResult } from "./types.ts";

const pad = (s: string, n: number) => s.padEnd(n);

export function describeRun(r: SimResult): string[] {
  const lines = [`call ${r.callSid}`];
  for (const q of r.requests) {
    const what =
      q.kind === "status"
        ? `status ${q.params.CallStatus}${q.params.CallDuration ? ` ${q.params.CallDuration}s` : ""}`
        : q.kind === "action"
          ? `action ${q.params.DialCallStatus}${q.params.DialCallDuration ? ` ${q.params.DialCallDuration}s` : ""}`
          : q.kind === "recording"
            ? `recording ${q.params.RecordingStatus}`
            : q.kind;
    const path = new URL(q.url).pathname;
    lines.push(`  t+${pad(`${q.atSec}s`, 6)} ${pad(what, 26)} ${q.method} ${path} → ${q.status}`);
    // The exchange's TwiML, as the carrier got it (the XML declaration left out); problems as sent.
    const body = q.body
      .replace(/<\?xml[^>]*\?>/, "")
      .replace(/\s+/g, " ")
      .trim();
    if (body) lines.push(`           ${body}`);
  }
  for (const s of r.said) lines.push(`  said: "${s}"`);
  for (const l of r.legs)
    lines.push(
      `  leg ${l.to}: ${l.status}${l.answeredAtSec !== undefined ? `, answered at ${l.answeredAtSec}s, ${l.durationSec}s on the buyer's leg, hung up by ${l.hangupBy}` : ""}`,
    );
  lines.push(`  ended at ${r.endedAtSec}s: ${r.end}`);
  for (const e of r.errors) lines.push(`  error: ${e}`);
  return lines;
}
