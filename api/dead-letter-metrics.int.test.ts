// The dead-letter gauges against real Postgres: /metrics answers while the table cannot be read (a
// lock held by a migration, a stalled server), saying the counts are stale instead of hanging.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "./db/client.ts";
import { throwawayDatabase } from "./db/test-database.ts";
import { watchDeadLetters } from "./dead-letter-metrics.ts";
import { registry } from "./metrics.ts";

let handle: Awaited<ReturnType<typeof throwawayDatabase>>;
let app: ReturnType<typeof createDb>;

beforeAll(async () => {
  handle = await throwawayDatabase("dlmetrics");
  app = createDb(handle.url, 2);
  watchDeadLetters(app.db);
}, 60_000);
afterAll(async () => {
  await app?.sql.end({ timeout: 1 });
  await handle?.drop();
});

const gauge = (text: string, name: string) => new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1];

describe("dead-letter gauges", () => {
  it("read the table when Postgres answers", async () => {
    const text = await registry.metrics();
    expect(gauge(text, "dce_dead_letters_readable")).toBe("1");
    expect(text).toMatch(/^dce_dead_letters\{state="unresolved"\} 0$/m);
  });

  it("answer stale (readable 0) while the table is locked, and recover once it is free", async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => {
      release = r;
    });
    // The owner holds an exclusive lock, as a migration rewriting the table would.
    const locked = handle.owner.begin(async (tx) => {
      await tx.unsafe("lock table dead_letters in access exclusive mode");
      await released;
    });
    try {
      await expect.poll(async () => gauge(await registry.metrics(), "dce_dead_letters_readable")).toBe("0");
      // A second scrape while the first read is still stuck answers too, without a second query.
      expect(gauge(await registry.metrics(), "dce_dead_letters_readable")).toBe("0");
      const waiting = await handle.sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity
         where datname = current_database() and wait_event_type = 'Lock'`;
      expect(waiting[0]?.n).toBe(1);
    } finally {
      release();
      await locked;
    }
    await expect.poll(async () => gauge(await registry.metrics(), "dce_dead_letters_readable")).toBe("1");
  }, 30_000);
});
