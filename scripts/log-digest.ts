// When `npm test` fails: the error-level lines of the stack's logs, grouped by message and counted, so a
// CI log that keeps only its tail says what the services saw and not just which tests failed.
// Usage: node --import tsx scripts/log-digest.ts <log dir> [since ISO time]
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isMain } from "./is-main.ts";

export interface LogError {
  at: number;
  message: string;
}

/** Error-level entries of one log: pino's JSON lines (level ≥ 50) and daprd's logfmt lines (error, fatal). */
export function errorsOf(text: string): LogError[] {
  const out: LogError[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("{")) {
      try {
        const entry = JSON.parse(line) as {
          level?: number;
          time?: number;
          msg?: string;
          err?: { message?: string };
        };
        if ((entry.level ?? 0) >= 50)
          out.push({
            at: entry.time ?? 0,
            message: [entry.msg, entry.err?.message].filter(Boolean).join(": "),
          });
      } catch {
        // a line cut by a crash: not an entry
      }
    } else if (/ level=(error|fatal) /.test(line)) {
      const time = /time="([^"]+)"/.exec(line)?.[1];
      const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? line;
      out.push({ at: time ? Date.parse(time) : 0, message: msg });
    }
  }
  return out;
}

/** daprd's mDNS name resolver cannot register without a multicast interface; nothing here uses it. */
const NOISE = /zeroconf register|nr \(mdns\/v1\)/;

/** Same messages once, with their count, digits folded so ids and durations do not split a group. */
export function digest(errors: LogError[], limit = 4): string[] {
  const groups = new Map<string, { count: number; sample: string }>();
  for (const e of errors) {
    if (NOISE.test(e.message)) continue;
    const key = e.message.replace(/[0-9a-f]{8,}|\d+/g, "#");
    const g = groups.get(key) ?? { count: 0, sample: e.message };
    g.count++;
    groups.set(key, g);
  }
  const sorted = [...groups.values()].sort((a, b) => b.count - a.count);
  const lines = sorted.slice(0, limit).map((g) => `${g.count}× ${g.sample.slice(0, 200)}`);
  if (sorted.length > limit) lines.push(`… ${sorted.length - limit} other messages`);
  return lines;
}

if (isMain(import.meta.url)) {
  const dir = process.argv[2] ?? ".data/logs";
  const since = process.argv[3] ? Date.parse(process.argv[3]) : 0;
  if (!existsSync(dir)) process.exit(0);
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".log"))
    .sort()) {
    const errors = errorsOf(readFileSync(join(dir, file), "utf8")).filter(
      (e) => e.at >= since && !NOISE.test(e.message),
    );
    if (errors.length === 0) continue;
    console.log(`${file}: ${errors.length} error lines`);
    for (const line of digest(errors)) console.log(`  ${line}`);
  }
}
