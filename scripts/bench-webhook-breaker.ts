// `npm run bench:webhook-breaker`: what one dead webhook endpoint with a backlog of due deliveries costs
// Postgres per second and per worker claim, with the breaker off (every delivery retried on its own,
// as before the breaker) and with the endpoint suspended (only its probe, once per interval). Each mode
// runs the real sender against its own throwaway database for --seconds (default 10) and counts the
// statements it sent, the webhook tables' rows Postgres read and wrote (pg_stat_user_tables, flushed
// when the sender's connections close), the database's transactions and buffer accesses, and the CPU
// of the sender's Postgres backends. Starts Redis/Postgres if needed.
// Options: --deliveries N (default 5000), --seconds N.
//
// Measured (2 cores, shared and noisy; 5,000 due deliveries, 10 s): main's sender 265-726 statements/s,
// 529-1,453 webhook rows read/s, 176-483 written/s, 128-330 ms Postgres CPU/s (588-1,616 attempts);
// breaker off 418-596, 658-905, 239-298 and 300-354 ms/s (600-752 attempts, each failure also moves
// the endpoint's failure count); suspended: 1 statement/s (one claim per poll), 5 rows read/s,
// 0 written, 2-3 ms CPU/s, 0 attempts until the probe falls due.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { createLogger } from "../actors/platform/logger.ts";
import { PiiKeyring } from "../actors/platform/pii-keys.ts";
import { createDb } from "../api/db/client.ts";
import { throwawayDatabase } from "../api/db/test-database.ts";
import { webhookEndpoints } from "../api/db/webhook-schema.ts";
import { sealSecret } from "../api/webhooks/secrets.ts";
import { webhookWorker } from "../api/webhooks/worker.ts";
import { setup, teardown } from "./stack/integration-setup.ts";

const { values } = parseArgs({
  options: { deliveries: { type: "string", default: "5000" }, seconds: { type: "string", default: "10" } },
});
const N = Number(values.deliveries);
const SECONDS = Number(values.seconds);
const pii = new PiiKeyring(randomBytes(32), [{ id: "k1", secret: randomBytes(32) }]);
const logger = createLogger("bench-webhook-breaker", "silent");
// The production settings (actors/platform/config.ts defaults), but for the breaker switch.
const production = {
  baseMs: 10_000,
  maxDelayMs: 3_600_000,
  maxAttempts: 12,
  timeoutMs: 5_000,
  pollMs: 1_000,
  batch: 64,
  perEndpoint: 4,
  allowLocal: true,
  pii,
};
const breakerOn = { failures: 10, minFailingMs: 300_000, probeBaseMs: 60_000, probeMaxMs: 3_600_000 };

/** A loopback port nobody listens on: every attempt is refused at once, like a dead receiver. */
async function deadPort(): Promise<number> {
  const s = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => s.once("listening", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const cpuTicks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100 a second)
};

async function run(mode: "breaker off (before)" | "suspended (after)") {
  const handle = await throwawayDatabase(`bench_breaker_${mode.startsWith("breaker") ? "off" : "on"}`);
  const ep = `wh_${randomBytes(8).toString("hex")}`;
  await handle.db.insert(webhookEndpoints).values({
    id: ep,
    accountId: "byr_00000000000000000000000000",
    url: `http://127.0.0.1:${await deadPort()}/hook`,
    eventTypes: ["call.billable"],
    secretCiphertext: sealSecret(pii, "whsec_bench"),
  });
  // The backlog: N deliveries due now (a dead receiver's retries as they fall due, or events held),
  // written by a session that ends before the count starts, so its rows are not counted.
  const setupSession = postgres(handle.ownerUrl, { max: 1, onnotice: () => undefined });
  await setupSession.unsafe(`
    insert into webhook_deliveries (id, endpoint_id, event_id, event_type, body, next_attempt_at)
    select '${ep}_d' || g, '${ep}', '${ep}_e' || g, 'call.billable', '{"id":"x"}', now() - interval '1 hour'
      from generate_series(1, ${N}) g`);
  if (mode === "suspended (after)")
    await setupSession.unsafe(`
      update webhook_endpoints set suspended_at = now(), consecutive_failures = 10,
             failing_since = now() - interval '5 minutes', next_probe_at = now() + interval '60 seconds'
       where id = '${ep}'`);
  // No autovacuum in the window (the fresh backlog would draw one): the sender's own work is counted.
  for (const t of ["webhook_deliveries", "webhook_endpoints", "webhook_attempts"])
    await setupSession.unsafe(`alter table ${t} set (autovacuum_enabled = false)`);
  await setupSession.unsafe("analyze webhook_deliveries; analyze webhook_endpoints");
  await setupSession.end();
  await new Promise((r) => setTimeout(r, 1_500));
  const dbName = new URL(handle.url).pathname.slice(1);
  const stats = postgres(handle.ownerUrl, { max: 1, onnotice: () => undefined });
  // Rows of the webhook tables read (sequential and index fetches) and written, and the database's
  // transactions and buffer accesses.
  const counters = async () =>
    (
      await stats`
        select (select xact_commit + xact_rollback from pg_stat_database where datname = ${dbName})::bigint as xacts,
               (select blks_hit + blks_read from pg_stat_database where datname = ${dbName})::bigint as blocks,
               sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::bigint as read,
               sum(n_tup_ins + n_tup_upd + n_tup_del)::bigint as written
          from pg_stat_user_tables where relname like 'webhook_%'`
    ).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])))[0]!;
  let statements = 0;
  let claims = 0;
  const worker = createDb(handle.url, 6, (q) => {
    statements++;
    if (q.includes("pending_endpoints")) claims++;
  });
  const w = webhookWorker(worker.db, worker.sql, logger, {
    ...production,
    breaker: mode === "suspended (after)" ? breakerOn : { ...breakerOn, failures: 0 },
  });
  await stats`select pg_stat_force_next_flush()`;
  const before = await counters();
  const started = Date.now();
  await w.start();
  await new Promise((r) => setTimeout(r, SECONDS * 1_000));
  const backends = await stats<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = ${dbName} and pid <> pg_backend_pid()`;
  const cpu = backends.reduce((sum, b) => sum + cpuTicks(b.pid), 0);
  await w.stop();
  const elapsed = (Date.now() - started) / 1_000;
  await worker.sql.end({ timeout: 5 }); // the backends flush their statistics as they exit
  await new Promise((r) => setTimeout(r, 1_500));
  const after = await counters();
  const [attempts] = await stats<{ n: number }[]>`select count(*)::int as n from webhook_attempts`;
  await stats.end();
  await handle.drop();
  const d = Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - before[k]!]));
  const perSec = (x: number) => Math.round(x / elapsed);
  const perClaim = (x: number) => (claims ? Math.round((x / claims) * 10) / 10 : 0);
  return {
    mode,
    seconds: Math.round(elapsed * 10) / 10,
    attempts: attempts!.n,
    workerClaims: claims,
    statementsPerSec: perSec(statements),
    statementsPerClaim: perClaim(statements),
    transactionsPerSec: perSec(d.xacts!),
    rowsReadPerSec: perSec(d.read!),
    rowsWrittenPerSec: perSec(d.written!),
    rowsTouchedPerClaim: perClaim(d.read! + d.written!),
    blocksPerSec: perSec(d.blocks!),
    // CPU of the sender's backends over the run (ms a second of run), from /proc: 100 ticks a second.
    pgCpuMsPerSec: Math.round((cpu * 10) / elapsed),
  };
}

await setup();
try {
  const rows = [];
  for (const mode of ["breaker off (before)", "suspended (after)"] as const) rows.push(await run(mode));
  console.table(rows);
} finally {
  await teardown();
}
