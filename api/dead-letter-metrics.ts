// Dead-letter gauges on the API's /metrics, read from the table at scrape time: the table is the one
// truth across every events-app replica and restart, and the events app serves nothing but daprd.
import { Gauge } from "prom-client";
import type { Db } from "./db/client.ts";
import { deadLetterCounts } from "./events/dead-letters.ts";
import { registry } from "./metrics.ts";

let source: Db | undefined;
let reading: Promise<void> | undefined;
/** The table read still running: a stalled Postgres must not pile up one stuck query per scrape. */
let query: Promise<{ unresolved: number; resolved: number }> | undefined;

/** How long a scrape waits for the counts: /metrics must answer while Postgres does not. */
export const DEAD_LETTER_READ_MS = 1_000;

/** One read of the table per scrape: the registry collects its metrics concurrently. */
function refresh(): Promise<void> {
  reading ??= (async () => {
    if (!source) return;
    query ??= deadLetterCounts(source).finally(() => {
      query = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((r) => {
      timer = setTimeout(() => r("late"), DEAD_LETTER_READ_MS);
    });
    try {
      const n = await Promise.race([query, late]);
      if (n === "late") {
        deadLettersReadable.set(0); // Postgres stalled: the last counts stay, this gauge says they are stale
        return;
      }
      deadLettersGauge.set({ state: "unresolved" }, n.unresolved);
      deadLettersGauge.set({ state: "resolved" }, n.resolved);
      deadLettersReadable.set(1);
    } catch {
      deadLettersReadable.set(0); // Postgres away: the last counts stay, this gauge says they are stale
    } finally {
      clearTimeout(timer);
    }
  })().finally(() => {
    reading = undefined;
  });
  return reading;
}

/** `dce_dead_letters{state="unresolved"}` > 0 is the alert: an event waits for a fix and a replay. */
export const deadLettersGauge = new Gauge({
  name: "dce_dead_letters",
  help: "Events the writer could not record, by state: unresolved (waiting for a replay) or resolved",
  labelNames: ["state"] as const,
  registers: [registry],
  collect: refresh,
});

export const deadLettersReadable = new Gauge({
  name: "dce_dead_letters_readable",
  help: "1 when the last scrape could read the dead-letter table, 0 when Postgres did not answer",
  registers: [registry],
  collect: refresh,
});

/** The database the gauges read (the API's own pool). */
export function watchDeadLetters(db: Db): void {
  source = db;
}
