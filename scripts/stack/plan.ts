// Reads the Dapr multi-app run file (dapr.yaml) and turns it into the processes to start:
// each app's command and its daprd sidecar with the flags the Dapr CLI would pass.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";

export interface RunApp {
  appID: string;
  /** Unique per process: the app id, with "-2", "-3"… for further replicas of the same app id. */
  instance: string;
  appDirPath: string;
  command: string[];
  appPort?: number;
  appProtocol: string;
  appChannelAddress: string;
  appHealthCheckPath?: string;
  /** daprd's app health probe: seconds between probes, ms a probe may take, failures before unhealthy. */
  appHealthProbeInterval?: number;
  appHealthProbeTimeout?: number;
  appHealthThreshold?: number;
  daprHTTPPort: number;
  daprGRPCPort: number;
  daprInternalGRPCPort: number;
  metricsPort: number;
  resourcesPath: string;
  configFilePath: string;
  placementHostAddress: string;
  schedulerHostAddress: string;
  logLevel: string;
  env: Record<string, string>;
}

export interface ProcessSpec {
  name: string;
  /** Stop order: higher tiers stop first (apps and sidecars, then control plane, then data). */
  tier?: number;
  stopSignal?: NodeJS.Signals;
  uid?: number; // run as this user (Postgres as root runs as `postgres`)
  gid?: number;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

type Raw = Record<string, unknown>;

export function readRunFile(path: string): RunApp[] {
  const doc = parse(readFileSync(path, "utf8")) as { version?: number; common?: Raw; apps?: Raw[] };
  if (doc.version !== 1 || !Array.isArray(doc.apps))
    throw new Error(`${path}: expected "version: 1" and an "apps" list`);
  const base = resolve(path, "..");
  const common = doc.common ?? {};
  const seen = new Map<string, number>();
  return doc.apps.map((app, i) => {
    const get = (key: string) => (app[key] ?? common[key]) as unknown;
    const need = (key: string): unknown => {
      const v = get(key);
      if (v === undefined) throw new Error(`${path}: apps[${i}] needs "${key}"`);
      return v;
    };
    const num = (key: string) => {
      const v = get(key);
      return v === undefined ? undefined : Number(v);
    };
    const appID = String(need("appID"));
    const n = (seen.get(appID) ?? 0) + 1;
    seen.set(appID, n);
    return {
      appID,
      instance: n === 1 ? appID : `${appID}-${n}`,
      appDirPath: resolve(base, String(get("appDirPath") ?? ".")),
      command: (need("command") as unknown[]).map(String),
      appPort: num("appPort"),
      appProtocol: String(get("appProtocol") ?? "http"),
      appChannelAddress: String(get("appChannelAddress") ?? "127.0.0.1"),
      appHealthCheckPath: get("appHealthCheckPath") as string | undefined,
      appHealthProbeInterval: num("appHealthProbeInterval"),
      appHealthProbeTimeout: num("appHealthProbeTimeout"),
      appHealthThreshold: num("appHealthThreshold"),
      daprHTTPPort: Number(need("daprHTTPPort")),
      daprGRPCPort: Number(need("daprGRPCPort")),
      daprInternalGRPCPort: Number(need("daprInternalGRPCPort")),
      metricsPort: Number(need("metricsPort")),
      resourcesPath: resolve(base, String(need("resourcesPath"))),
      configFilePath: resolve(base, String(need("configFilePath"))),
      placementHostAddress: String(need("placementHostAddress")),
      schedulerHostAddress: String(need("schedulerHostAddress")),
      logLevel: String(get("logLevel") ?? "info"),
      env: Object.fromEntries(
        Object.entries({ ...(common.env as Raw), ...(app.env as Raw) }).map(([k, v]) => [k, String(v)]),
      ),
    };
  });
}

/** The tokens every daprd is started with (DAPR_API_TOKEN: required of callers; APP_API_TOKEN: sent to its app). */
export interface SidecarTokens {
  DAPR_API_TOKEN: string;
  APP_API_TOKEN: string;
}

/**
 * The Go garbage collector's settings for every daprd: a collection when the heap has grown 4× past
 * what the last one kept (GOGC 400; Go's default 100 is 1×), with a soft limit that makes it collect
 * sooner should the heap near it. Measured with GODEBUG=gctrace=1 at concurrency 16, 10 candidates:
 * the four daprds spent about 1.3 ms of GC CPU per offer at 100 and 0.4 ms at 400, of 15-20 ms per
 * offer in all. Their heaps are tens of MB, so 4× fits well inside the limit. DCE_DAPRD_GOGC and
 * DCE_DAPRD_GOMEMLIMIT override them.
 */
export function daprdGoEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return { GOGC: env.DCE_DAPRD_GOGC ?? "400", GOMEMLIMIT: env.DCE_DAPRD_GOMEMLIMIT ?? "512MiB" };
}

/** daprd for one app, with the same flags `dapr run` would give it. */
export function sidecarSpec(
  app: RunApp,
  daprBin: string,
  tokens: SidecarTokens,
  goEnv: Record<string, string> = daprdGoEnv(),
): ProcessSpec {
  const args = [
    "--mode",
    "standalone",
    "--app-id",
    app.appID,
    "--app-protocol",
    app.appProtocol,
    "--app-channel-address",
    app.appChannelAddress,
    "--dapr-listen-addresses",
    "127.0.0.1",
    "--dapr-http-port",
    String(app.daprHTTPPort),
    "--dapr-grpc-port",
    String(app.daprGRPCPort),
    "--dapr-internal-grpc-port",
    String(app.daprInternalGRPCPort),
    "--metrics-port",
    String(app.metricsPort),
    "--placement-host-address",
    app.placementHostAddress,
    "--scheduler-host-address",
    app.schedulerHostAddress,
    "--resources-path",
    app.resourcesPath,
    "--config",
    app.configFilePath,
    "--log-level",
    app.logLevel,
  ];
  if (app.appPort !== undefined) args.push("--app-port", String(app.appPort));
  if (app.appHealthCheckPath) {
    args.push("--enable-app-health-check", "--app-health-check-path", app.appHealthCheckPath);
    if (app.appHealthProbeInterval !== undefined)
      args.push("--app-health-probe-interval", String(app.appHealthProbeInterval));
    if (app.appHealthProbeTimeout !== undefined)
      args.push("--app-health-probe-timeout", String(app.appHealthProbeTimeout));
    if (app.appHealthThreshold !== undefined)
      args.push("--app-health-threshold", String(app.appHealthThreshold));
  }
  return {
    name: `${app.instance}-daprd`,
    tier: 2,
    command: `${daprBin}/daprd`,
    args,
    cwd: app.appDirPath,
    env: { DAPR_HOST_IP: "127.0.0.1", ...goEnv, ...tokens },
  };
}

/**
 * One app's process. A `node` command runs on the launcher's own Node.js (the project's Node 24 under
 * npm start and npm test), whatever `node` the PATH would find.
 */
export function appSpec(app: RunApp, extraEnv: Record<string, string>): ProcessSpec {
  const [first, ...args] = app.command;
  if (!first) throw new Error(`${app.appID}: empty command`);
  const command = first === "node" ? process.execPath : first;
  const env: Record<string, string> = {
    ...extraEnv,
    ...app.env,
    APP_ID: app.appID,
    DAPR_HTTP_PORT: String(app.daprHTTPPort),
    DAPR_GRPC_PORT: String(app.daprGRPCPort),
  };
  if (app.appPort !== undefined) env.APP_PORT = String(app.appPort);
  return { name: app.instance, tier: 3, command, args, cwd: app.appDirPath, env };
}

/**
 * The same app run from the build in dist/ (scripts/build.sh): `node [flags] --import tsx X.ts`
 * becomes `node [flags] dist/X.js`. Commands that are not a node + tsx entry point stay as they are.
 */
export function compiledCommand(command: string[]): string[] {
  const at = command.findIndex((arg, i) => arg === "--import" && command[i + 1] === "tsx");
  const entry = command.at(-1);
  if (command[0] !== "node" || at < 0 || !entry?.endsWith(".ts") || entry.startsWith("/")) return command;
  return [...command.slice(0, at), ...command.slice(at + 2, -1), `dist/${entry.replace(/\.ts$/, ".js")}`];
}
