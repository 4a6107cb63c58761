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
    const answer = q.body.length > 0 && q.body.length <= 300 ? `  ${q.body.replace(/\s+/g, " ")}` : "";
    lines.push(`  t+${pad(`${q.atSec}s`, 6)} ${pad(what, 26)} ${q.method} ${path} → ${q.status}${answer}`);
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
