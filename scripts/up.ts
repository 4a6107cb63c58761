// `npm start`: brings the whole exchange up locally — Redis, Postgres, Dapr placement and scheduler,
// then every app in dapr.yaml with its daprd sidecar — waits until all are ready, and on Ctrl-C
// stops everything it started. With --dist the apps run the compiled JavaScript in dist/ (npm start
// builds it first; scripts/build.sh), else their TypeScript through tsx.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { roleOf, runMigrations } from "../api/db/migrate.ts";
import { appSpec, compiledCommand, readRunFile, sidecarSpec } from "./stack/plan.ts";
import { privateDir } from "./stack/private-files.ts";
import { reserveStackPorts, stackPorts } from "./stack/reserved-ports.ts";
import { appSecrets, loadOrCreateSecrets, ownerUrlOf } from "./stack/secrets.ts";
import {
  ensureDatabase,
  PORTS,
  placementSpec,
  postgresAccepts,
  postgresSpec,
  redisSpec,
  schedulerSpec,
} from "./stack/services.ts";
import { MAX_RESTARTS_IN_WINDOW, type Running, Supervisor } from "./stack/supervisor.ts";
import { httpOk, redisPong, tcpOpen, waitUntil } from "./stack/wait.ts";

const root = resolve(import.meta.dirname, "..");
const stateDir = resolve(process.env.DCE_STATE_DIR ?? join(root, ".data"));
const daprBin = process.env.DAPR_BIN ?? join(homedir(), ".dapr", "bin");
const lockFile = join(stateDir, "stack.json");
const apiUrl = "http://127.0.0.1:8080";
const quiet = process.argv.includes("--quiet");
const compiled = process.argv.includes("--dist");
const say = (msg: string) => {
  if (!quiet) console.log(msg);
};

function alreadyRunning(): number | undefined {
  if (!existsSync(lockFile)) return undefined;
  const { pid } = JSON.parse(readFileSync(lockFile, "utf8")) as { pid: number };
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined; // stale lock from a launcher that died
  }
}

// Whatever the launcher and its processes create (data, logs, secrets) is theirs alone.
process.umask(0o077);
privateDir(stateDir);
const other = alreadyRunning();
if (other) {
  console.error(`The exchange is already running (launcher pid ${other}, API ${apiUrl}).`);
  console.error(`Stop it with Ctrl-C in its terminal, or: kill ${other}`);
  process.exit(1);
}
for (const bin of ["daprd", "placement", "scheduler"]) {
  if (!existsSync(join(daprBin, bin))) {
    console.error(
      `${join(daprBin, bin)} is missing: run \`npm run setup\` (it builds Dapr from the Go module proxy).`,
    );
    process.exit(1);
  }
}
const busy = [];
for (const [name, port] of [
  ["api", 8080],
  ["redis", PORTS.redis],
  ["postgres", PORTS.postgres],
  ["placement", PORTS.placement],
] as const) {
  if (await tcpOpen(port)) busy.push(`${name} port ${port}`);
}
if (busy.length > 0) {
  console.error(`Cannot start: ${busy.join(", ")} already in use by another program.`);
  process.exit(1);
}
const startedAt = new Date().toISOString();
/** stack.json is read while processes restart (tests poll it for new pids): replace it whole, never
 * truncate it in place, so a reader sees the old list or the new one and never a torn file. */
function writeStackFile(content: object): void {
  const tmp = `${lockFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(content, null, 2));
  renameSync(tmp, lockFile);
}
writeStackFile({ pid: process.pid, startedAt, apiUrl, ready: false });

// DCE_MAX_RESTARTS_PER_MIN: how many restarts of one process a minute are a crash loop (default 5).
// The chaos tier raises it: its crash proofs kill the actor host on purpose, several times a minute.
const maxRestarts = Number(process.env.DCE_MAX_RESTARTS_PER_MIN ?? MAX_RESTARTS_IN_WINDOW);
const supervisor = new Supervisor(
  join(stateDir, "logs"),
  Number.isInteger(maxRestarts) && maxRestarts > 0 ? maxRestarts : MAX_RESTARTS_IN_WINDOW,
);
let shuttingDown = false;
async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    say("\nstopping the exchange...");
    await supervisor.stopAll();
    rmSync(lockFile, { force: true });
    say("stopped.");
  }
  process.exit(code);
}
/** Milliseconds from starting the apps to each app accepting on its port. */
const startupMs: Record<string, number> = {};
const writeLock = (ready: boolean) =>
  writeStackFile({
    pid: process.pid,
    startedAt,
    apiUrl,
    ready,
    compiled,
    startupMs,
    processes: supervisor.pids(),
  });
supervisor.onRestart = (r: Running, code) => {
  console.error(
    `${r.spec.name} exited (code ${code}) and was restarted (pid ${r.child.pid}); log: ${r.logFile}`,
  );
  writeLock(true);
};
supervisor.onUnexpectedExit = (r: Running, code) => {
  console.error(`\n${r.spec.name} keeps exiting (code ${code}); giving up. Its log: ${r.logFile}`);
  const tail = readFileSync(r.logFile, "utf8").split("\n").slice(-25).join("\n");
  console.error(tail);
  void shutdown(1);
};
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
process.on("SIGHUP", () => void shutdown(0));

try {
  const t0 = Date.now();
  // Before the secrets: a cluster from an earlier state directory is recognised by their absence.
  const pg = postgresSpec(stateDir);
  const secrets = loadOrCreateSecrets(join(stateDir, "secrets.env"));
  const apps = readRunFile(join(root, "dapr.yaml"));
  reserveStackPorts(stackPorts(apps, Number(new URL(apiUrl).port || 8080)), say);
  const dbUrl = apps[0]?.env.DATABASE_URL ?? "postgres://dce:dce@127.0.0.1:5433/dce";

  supervisor.start(redisSpec(stateDir));
  supervisor.start(pg.spec);
  supervisor.start(placementSpec(daprBin, stateDir));
  supervisor.start(schedulerSpec(daprBin, stateDir));
  await waitUntil("redis", () => redisPong(PORTS.redis));
  await waitUntil("postgres", () => postgresAccepts(pg.socketDir));
  const ownerUrl = ownerUrlOf(dbUrl, secrets);
  await ensureDatabase(pg.socketDir, dbUrl, ownerUrl);
  await runMigrations(ownerUrl, roleOf(dbUrl));
  say(`redis :${PORTS.redis} and postgres :${PORTS.postgres} ready, migrations applied`);
  await waitUntil("placement", () => httpOk(`http://127.0.0.1:${PORTS.placementHealth}/healthz`));
  await waitUntil("scheduler", () => httpOk(`http://127.0.0.1:${PORTS.schedulerHealth}/healthz`));
  say(`placement :${PORTS.placement} and scheduler :${PORTS.scheduler} ready`);

  const tokens = { DAPR_API_TOKEN: secrets.DAPR_API_TOKEN, APP_API_TOKEN: secrets.APP_API_TOKEN };
  const tApps = Date.now();
  for (const app of apps) {
    const run = compiled ? { ...app, command: compiledCommand(app.command) } : app;
    const entry = run.command.at(-1) ?? "";
    if (compiled && entry.startsWith("dist/") && !existsSync(join(root, entry)))
      throw new Error(`${entry} is missing: run \`npm run build\` first`);
    supervisor.start(sidecarSpec(app, daprBin, tokens));
    supervisor.start(appSpec(run, { ...appSecrets(secrets), LOG_LEVEL: process.env.LOG_LEVEL ?? "info" }));
  }
  const appsListening = Promise.all(
    apps.map(async (app) => {
      const port = app.appPort ?? Number(app.env.API_PORT ?? 8080);
      await waitUntil(`${app.instance} on :${port}`, () => tcpOpen(port));
      startupMs[app.instance] = Date.now() - tApps;
    }),
  );
  for (const app of apps) {
    await waitUntil(`${app.instance} sidecar`, () =>
      httpOk(`http://127.0.0.1:${app.daprHTTPPort}/v1.0/healthz`),
    );
  }
  await appsListening;
  await waitUntil("API readiness", () => httpOk(`${apiUrl}/ready`));
  // Placement must have every actor host in its table before the exchange takes calls: actor calls
  // through the API's sidecar must answer, for ids spread over the hosts.
  const apiSidecar = apps.find((a) => a.command.join(" ").includes("api/main.ts"))?.daprHTTPPort ?? 3502;
  await waitUntil("actor placement", async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `startup-probe-${i}`);
    const answers = await Promise.all(
      ids.map((id) =>
        fetch(`http://127.0.0.1:${apiSidecar}/v1.0/actors/BenchActor/${id}/method/ping`, {
          method: "POST",
          headers: { "dapr-api-token": secrets.DAPR_API_TOKEN },
          signal: AbortSignal.timeout(3_000),
        }).then((r) => r.ok),
      ),
    );
    return answers.every(Boolean);
  });
  startupMs.exchange = Date.now() - t0;
  writeLock(true);
  say(`
The exchange is up in ${((Date.now() - t0) / 1000).toFixed(1)}s (${compiled ? "compiled JavaScript from dist/" : "TypeScript through tsx"}).
  apps listening ${Object.entries(startupMs)
    .filter(([name]) => name !== "exchange")
    .map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)}s`)
    .join(", ")} after start
  API            ${apiUrl}   (health: ${apiUrl}/health, readiness: ${apiUrl}/ready)
  admin API key  grep DCE_ADMIN_API_KEY ${join(stateDir, "secrets.env")}
  logs           ${join(stateDir, "logs")}/<process>.log
  processes      ${Object.entries(supervisor.pids())
    .map(([name, pid]) => `${name}:${pid}`)
    .join(" ")}
Press Ctrl-C to stop everything.`);
} catch (err) {
  console.error(`start-up failed: ${(err as Error).message}`);
  await shutdown(1);
}
