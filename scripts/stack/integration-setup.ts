// vitest global setup for the integration tier: Redis and Postgres only (no Dapr, no apps), started
// from the launcher's own service specs unless they already answer (a running `npm start`), and
// stopped again afterwards. A service that cannot start fails the tier: no test skips for lack of one.
import { join, resolve } from "node:path";
import { roleOf, runMigrations } from "../../api/db/migrate.ts";
import { readRunFile } from "./plan.ts";
import { privateDir } from "./private-files.ts";
import { loadOrCreateSecrets, ownerUrlOf } from "./secrets.ts";
import { ensureDatabase, PORTS, postgresAccepts, postgresSpec, redisSpec } from "./services.ts";
import { Supervisor } from "./supervisor.ts";
import { redisPong, tcpOpen, waitUntil } from "./wait.ts";

const root = resolve(import.meta.dirname, "../..");
let supervisor: Supervisor | undefined;

export async function setup(): Promise<void> {
  const redisUp = await redisPong(PORTS.redis);
  const pgUp = await tcpOpen(PORTS.postgres);
  if (redisUp && pgUp) return;
  if (redisUp !== pgUp)
    throw new Error(`only one of Redis :${PORTS.redis} and Postgres :${PORTS.postgres} is up: stop it first`);
  const stateDir = resolve(process.env.DCE_STATE_DIR ?? join(root, ".data"));
  process.umask(0o077);
  privateDir(stateDir);
  supervisor = new Supervisor(join(stateDir, "logs"));
  const running = supervisor;
  running.onUnexpectedExit = (r) => console.error(`${r.spec.name} keeps exiting; see ${r.logFile}`);
  try {
    running.start(redisSpec(stateDir));
    const pg = postgresSpec(stateDir);
    running.start(pg.spec);
    await waitUntil("redis", () => redisPong(PORTS.redis), 60_000);
    await waitUntil("postgres", () => postgresAccepts(pg.socketDir), 60_000);
    const dbUrl =
      readRunFile(join(root, "dapr.yaml"))[0]?.env.DATABASE_URL ?? "postgres://dce:dce@127.0.0.1:5433/dce";
    const ownerUrl = ownerUrlOf(dbUrl, loadOrCreateSecrets(join(stateDir, "secrets.env")));
    await ensureDatabase(pg.socketDir, dbUrl, ownerUrl);
    await runMigrations(ownerUrl, roleOf(dbUrl));
  } catch (err) {
    await running.stopAll();
    throw err;
  }
}

export async function teardown(): Promise<void> {
  await supervisor?.stopAll();
}
