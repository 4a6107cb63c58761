// The infrastructure under the apps: Redis and PostgreSQL (Debian packages) and Dapr's placement and
// scheduler, all on loopback, with data under the project's own state directory.
import { execFileSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import type { ProcessSpec } from "./plan.ts";

export const PORTS = {
  redis: 6380,
  postgres: 5433,
  placement: 50005,
  placementHealth: 58081,
  placementMetrics: 59091,
  scheduler: 50006,
  schedulerHealth: 58082,
  schedulerMetrics: 59092,
  schedulerEtcdClient: 52379,
  schedulerEtcdPeer: 52380,
} as const;

/**
 * When Redis's append-only file reaches the disk (DCE_REDIS_APPENDFSYNC): `everysec` (default) can lose
 * the last second of writes on a machine crash (docs/ops/rediscrash.md: drift that `npm run repair`
 * fixes); `always` loses none, at the cost `npm run bench:fsync` measures.
 */
export function redisAppendFsync(env: NodeJS.ProcessEnv = process.env): "everysec" | "always" {
  const v = env.DCE_REDIS_APPENDFSYNC ?? "everysec";
  if (v === "everysec" || v === "always") return v;
  throw new Error(`DCE_REDIS_APPENDFSYNC must be everysec or always, not ${JSON.stringify(v)}`);
}

export function redisSpec(stateDir: string, env: NodeJS.ProcessEnv = process.env): ProcessSpec {
  const dir = join(stateDir, "redis");
  mkdirSync(dir, { recursive: true });
  const fsync = redisAppendFsync(env);
  const args = ["--bind", "127.0.0.1", "--port", String(PORTS.redis), "--dir", dir, "--appendonly", "yes"];
  args.push("--appendfsync", fsync, "--save", "", "--daemonize", "no", "--protected-mode", "yes");
  return { name: "redis", tier: 0, command: "redis-server", args, cwd: dir, env: {} };
}

function pgBin(): string {
  const versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a));
  const bin = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => existsSync(`${d}/postgres`));
  if (!bin) throw new Error("PostgreSQL is not installed: run `npm run setup`");
  return bin;
}

interface PgLayout {
  dataDir: string;
  socketDir: string;
  uid?: number;
  gid?: number;
}

/** Postgres refuses to run as root: as root, the cluster belongs to the `postgres` user. */
function pgLayout(stateDir: string): PgLayout {
  if (userInfo().uid !== 0) return { dataDir: join(stateDir, "pg", "data"), socketDir: join(stateDir, "pg") };
  const id = createHash("sha1").update(stateDir).digest("hex").slice(0, 10);
  const root = `/var/lib/postgresql/dce-${id}`;
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  return { dataDir: join(root, "data"), socketDir: root, uid, gid };
}

const readId = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim() : undefined);

/**
 * As root the cluster lives outside the state directory (Postgres refuses root), so deleting the state
 * directory leaves the cluster behind, and a new state directory at the same path would find it: data
 * written under the old directory's secrets (the audit checkpoint key, the PII keys, the owner's
 * password), which the new one generates afresh (a clean clone's CI run then saw every checkpoint as
 * forged). So the state directory and its cluster each keep the same id, and a cluster that is not
 * this state directory's is removed before initdb. A cluster from before the ids is kept only when the
 * state directory already had its secrets (it was that cluster's); callers ask before creating them.
 */
function claimCluster(stateDir: string, layout: PgLayout): void {
  if (layout.uid === undefined) return; // inside the state directory: it goes with it
  const mine = join(stateDir, "pg-cluster-id");
  const theirs = join(layout.socketDir, "state-id");
  const id = readId(mine);
  const clusterId = readId(theirs);
  if (existsSync(join(layout.dataDir, "PG_VERSION"))) {
    const legacy = id === undefined && clusterId === undefined && existsSync(join(stateDir, "secrets.env"));
    if (!legacy && (id === undefined || clusterId !== id)) {
      console.error(
        `postgres: removing ${layout.dataDir}, left by an earlier state directory at ${stateDir}`,
      );
      rmSync(layout.dataDir, { recursive: true, force: true });
    }
  }
  const claimed = id ?? randomUUID();
  mkdirSync(layout.socketDir, { recursive: true });
  writeFileSync(mine, `${claimed}\n`);
  writeFileSync(theirs, `${claimed}\n`);
}

export function postgresSpec(stateDir: string): { spec: ProcessSpec; socketDir: string } {
  const layout = pgLayout(stateDir);
  claimCluster(stateDir, layout);
  const bin = pgBin();
  if (!existsSync(join(layout.dataDir, "PG_VERSION"))) {
    mkdirSync(layout.dataDir, { recursive: true });
    if (layout.uid !== undefined) {
      chownSync(layout.socketDir, layout.uid, layout.gid!);
      chownSync(layout.dataDir, layout.uid, layout.gid!);
    }
    execFileSync(
      `${bin}/initdb`,
      [
        "-D",
        layout.dataDir,
        "-U",
        "postgres",
        "-E",
        "UTF8",
        "--locale=C",
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
      ],
      { uid: layout.uid, gid: layout.gid, stdio: "ignore" },
    );
  }
  const args = ["-D", layout.dataDir, "-p", String(PORTS.postgres), "-c", "listen_addresses=127.0.0.1"];
  args.push(
    "-c",
    `unix_socket_directories=${layout.socketDir}`,
    "-c",
    "fsync=on",
    "-c",
    "max_connections=200",
  );
  const spec: ProcessSpec = {
    name: "postgres",
    tier: 0,
    stopSignal: "SIGINT", // fast shutdown; SIGTERM would wait for every client to leave
    command: `${bin}/postgres`,
    args,
    cwd: layout.socketDir,
    env: {},
    uid: layout.uid,
    gid: layout.gid,
  };
  return { spec, socketDir: layout.socketDir };
}

/** A one-connection session as the cluster's superuser, over the Unix socket. */
function superuser(socketDir: string, database = "postgres") {
  const options = { host: socketDir, port: PORTS.postgres, user: "postgres", database, max: 1 };
  return postgres({ ...options, onnotice: () => undefined });
}

/** Where the cluster of `stateDir` has its Unix socket. */
export const socketDirOf = (stateDir: string) => pgLayout(stateDir).socketDir;

/** The superuser's session on the stack's cluster in `stateDir` (tests tamper as an insider with it). */
export function superuserSql(stateDir: string, database = "dce") {
  return superuser(pgLayout(stateDir).socketDir, database);
}

/** Postgres answers a query on its socket: an open port is not enough, since a new or recovering
 * cluster refuses sessions with "the database system is starting up" for a while after it listens. */
export async function postgresAccepts(socketDir: string): Promise<boolean> {
  const sql = superuser(socketDir);
  try {
    await sql`select 1`;
    return true;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

const credentials = (u: string) => {
  const url = new URL(u);
  return { role: decodeURIComponent(url.username), password: decodeURIComponent(url.password), url };
};

/**
 * Creates the owner role (migrations; owns the database and its tables), the application role (logs
 * in, owns nothing) and the database if missing, as the superuser over the Unix socket. A database
 * from before the split (owned by the application role) is handed to the owner role, tables and all.
 */
export async function ensureDatabase(socketDir: string, appUrl: string, ownerUrl: string): Promise<void> {
  const app = credentials(appUrl);
  const owner = credentials(ownerUrl);
  const database = app.url.pathname.slice(1);
  if (app.role === owner.role) throw new Error(`the app and owner roles must differ (both ${app.role})`);
  const sql = superuser(socketDir);
  const quoted = (s: string) => `'${s.replaceAll("'", "''")}'`;
  try {
    for (const r of [app, owner]) {
      const [found] = await sql`select 1 as found from pg_roles where rolname = ${r.role}`;
      const verb = found ? "alter" : "create";
      await sql.unsafe(`${verb} role "${r.role}" login password ${quoted(r.password)}`);
    }
    // Integration tests make throwaway databases of their own, as the owner (this cluster is local
    // and loopback-only); the application role creates nothing.
    await sql.unsafe(`alter role "${owner.role}" createdb`);
    await sql.unsafe(`alter role "${app.role}" nocreatedb`);
    const [d] = await sql<{ owner: string }[]>`
      select pg_get_userbyid(datdba) as owner from pg_database where datname = ${database}`;
    if (!d) await sql.unsafe(`create database "${database}" owner "${owner.role}"`);
    else {
      if (d.owner !== owner.role) await sql.unsafe(`alter database "${database}" owner to "${owner.role}"`);
      // Every start, not only on the hand-over: an interrupted one is completed, and the app's role
      // never keeps anything it came to own.
      const inDb = superuser(socketDir, database);
      try {
        await inDb.unsafe(`reassign owned by "${app.role}" to "${owner.role}"`);
      } finally {
        await inDb.end();
      }
    }
  } finally {
    await sql.end();
  }
}

export function placementSpec(daprBin: string, stateDir: string): ProcessSpec {
  const args = ["--port", String(PORTS.placement), "--listen-address", "127.0.0.1"];
  args.push("--healthz-port", String(PORTS.placementHealth), "--healthz-listen-address", "127.0.0.1");
  args.push("--metrics-port", String(PORTS.placementMetrics), "--metrics-listen-address", "127.0.0.1");
  args.push("--initial-cluster", "dapr-placement-0=127.0.0.1:58201", "--log-level", "warn");
  // Above the actor hosts' drain time (8 s): a host still draining in-flight calls is not kicked.
  args.push("--disseminate-timeout", "15s");
  return { name: "placement", tier: 1, command: `${daprBin}/placement`, args, cwd: stateDir, env: {} };
}

export function schedulerSpec(daprBin: string, stateDir: string): ProcessSpec {
  const dataDir = join(stateDir, "scheduler");
  mkdirSync(dataDir, { recursive: true });
  const args = ["--port", String(PORTS.scheduler), "--listen-address", "127.0.0.1"];
  args.push("--healthz-port", String(PORTS.schedulerHealth), "--healthz-listen-address", "127.0.0.1");
  args.push("--metrics-port", String(PORTS.schedulerMetrics), "--metrics-listen-address", "127.0.0.1");
  args.push("--etcd-data-dir", dataDir, "--etcd-client-port", String(PORTS.schedulerEtcdClient));
  args.push("--etcd-client-listen-address", "127.0.0.1");
  args.push("--etcd-initial-cluster", `dapr-scheduler-server-0=http://127.0.0.1:${PORTS.schedulerEtcdPeer}`);
  args.push("--log-level", "warn");
  return { name: "scheduler", tier: 1, command: `${daprBin}/scheduler`, args, cwd: dataDir, env: {} };
}
