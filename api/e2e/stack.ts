// Finds or starts the local exchange for end-to-end tests: reuses a running stack, else starts
// `scripts/up.ts` (apps from the compiled dist/, as `npm start` runs them) and stops it again when the
// tests end.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const STATE_DIR = resolve(process.env.DCE_STATE_DIR ?? join(ROOT, ".data"));
/** Where the chaos tier arms crash points and finds their records (actors/platform/crash-points.ts). */
export const CRASH_DIR = join(STATE_DIR, "crash-points");
export const API = process.env.DCE_API_URL ?? "http://127.0.0.1:8080";

export async function isReady(): Promise<boolean> {
  try {
    const res = await fetch(`${API}/ready`, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * What a tier's stack runs with beyond dapr.yaml. The chaos tier bounds the events backlog small
 * (100 entries, trimmed and sampled often) so its Postgres outage passes the bound within seconds, and
 * lets the launcher restart a process more often (the crash proofs kill the actor host repeatedly).
 */
export function tierEnv(project: string | undefined): Record<string, string> {
  if (project !== "chaos") return {};
  return {
    DCE_STREAM_BACKLOG_MAX: String(CHAOS_BACKLOG_MAX),
    DCE_STREAM_POLL_MS: "250",
    DCE_STREAM_TRIM_MS: "1000",
    // Its crash proofs kill the actor host on purpose, six times within a minute or so: not a crash
    // loop the launcher should give up on (a real loop still ends the run, at 30 a minute).
    DCE_MAX_RESTARTS_PER_MIN: "30",
  };
}
export const CHAOS_BACKLOG_MAX = 100;

/** Starts the stack as production runs it: the apps compiled to dist/ (built here, incrementally). */
export async function startStack(
  timeoutMs = 240_000,
  env: Record<string, string> = {},
): Promise<ChildProcess> {
  execFileSync("bash", ["scripts/build.sh"], { cwd: ROOT, stdio: "inherit" });
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/up.ts", "--quiet", "--dist"], {
    cwd: ROOT,
    // A stack the tests start has the test-only crash points on (the chaos tier arms them), and keeps
    // finished calls' documents 20 s (1 h by default) so their expiry is seen (retention.e2e.test.ts).
    env: {
      ...process.env,
      ...env,
      DCE_CRASH_POINTS_DIR: CRASH_DIR,
      DCE_CALL_RETENTION_SEC: process.env.DCE_CALL_RETENTION_SEC ?? "20",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the stack launcher exited with code ${child.exitCode}`);
    if (await isReady()) return child;
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill("SIGINT");
  throw new Error("the stack did not become ready in time");
}

export async function stopStack(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGINT");
  await exited;
}

/** A secret the stack runs with: the environment's value, else the one in the state directory's secrets.env. */
export function stackSecret(name: string): string {
  if (process.env[name]) return process.env[name];
  const m = new RegExp(`^${name}=(.+)$`, "m").exec(readFileSync(join(STATE_DIR, "secrets.env"), "utf8"));
  if (!m) throw new Error(`no ${name} in the state directory's secrets.env`);
  return m[1]!;
}

export function adminKey(): string {
  return stackSecret("DCE_ADMIN_API_KEY");
}

let sidecarToken: string | undefined;

/** The headers a direct request to any of the stack's sidecars needs (daprd refuses it otherwise). */
export function sidecarHeaders(): Record<string, string> {
  sidecarToken ??= stackSecret("DAPR_API_TOKEN");
  return { "dapr-api-token": sidecarToken };
}
