// Dead-letter gauges on the API's /metrics, read from the table at scrape time: the table is the one
// truth across every events-app replica and restart, and the events app serves nothing but daprd.
import { Gauge } from "prom-client";
import type { Db } from "./db/client.ts";
import { deadLetterCounts } from "./events/dead-letters.ts";
import { registry } from "./metrics.ts";
import { scrapeRead } from "./scrape-read.ts";

let source: Db | undefined;

/** How long a scrape waits for the counts: /metrics must answer while Postgres does not. */
export const DEAD_LETTER_READ_MS = 1_000;

/** One read of the table per scrape, bounded; stale (readable 0) while Postgres does not answer. */
const refresh = scrapeRead(
  async () => (source ? deadLetterCounts(source) : null),
  DEAD_LETTER_READ_MS,
  (n) => {
    if (n === undefined) {
      deadLettersReadable.set(0); // Postgres away or stalled: the last counts stay, marked stale
      return;
    }
    deadLettersGauge.set({ state: "unresolved" }, n.unresolved);
    deadLettersGauge.set({ state: "resolved" }, n.resolved);
    deadLettersReadable.set(1);
  },
);

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
