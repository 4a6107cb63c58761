// Starts and stops the local cluster's processes: each gets its own log file (0600), and every process
// this supervisor started is stopped when it stops (SIGTERM, then SIGKILL after a grace period).
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import type { ProcessSpec } from "./plan.ts";
import { privateDir, privateFile } from "./private-files.ts";

export interface Running {
  spec: ProcessSpec;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

const RESTART_WINDOW_MS = 60_000;
/** Restarts of one process within a minute before the launcher gives up on it (a crash loop). */
export const MAX_RESTARTS_IN_WINDOW = 5;

export class Supervisor {
  private readonly running: Running[] = [];
  private readonly restarts = new Map<string, number[]>();
  private stopping = false;
  /** A process died and will not be restarted (too many restarts): the caller decides what to do. */
  onUnexpectedExit: (r: Running, code: number | null) => void = () => undefined;
  /** A process died and was started again (a crashed app comes back like a pod would). */
  onRestart: (r: Running, code: number | null) => void = () => undefined;

  constructor(
    private readonly logDir: string,
    private readonly maxRestartsPerMinute = MAX_RESTARTS_IN_WINDOW,
  ) {
    privateDir(logDir);
  }

  start(spec: ProcessSpec): Running {
    const logFile = privateFile(join(this.logDir, `${spec.name}.log`)); // logs may name accounts and ids
    const log = createWriteStream(logFile, { flags: "a" });
    log.write(`\n--- ${new Date().toISOString()} start ${spec.command} ${spec.args.join(" ")}\n`);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ["ignore", "pipe", "pipe"],
      // Own process group: a terminal's Ctrl-C reaches only the launcher, which stops children in order.
      detached: true,
      uid: spec.uid,
      gid: spec.gid,
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    // "exit" can come before the child's last output has been read: the log ends on "close" (its
    // stdout and stderr are done), so no late chunk is written after the end and kills the launcher.
    child.once("close", (code, signal) => log.end(`--- exit code=${code} signal=${signal}\n`));
    const exited = new Promise<number | null>((res) => {
      child.once("exit", (code) => res(code));
      child.once("error", (err) => {
        log.write(`--- failed to start: ${err.message}\n`);
        res(-1);
      });
    });
    const r: Running = { spec, child, logFile, exited };
    this.running.push(r);
    void exited.then((code) => {
      if (this.stopping) return;
      const now = Date.now();
      const recent = (this.restarts.get(spec.name) ?? []).filter((t) => now - t < RESTART_WINDOW_MS);
      if (recent.length >= this.maxRestartsPerMinute) {
        this.onUnexpectedExit(r, code);
        return;
      }
      this.restarts.set(spec.name, [...recent, now]);
      setTimeout(() => {
        if (this.stopping) return;
        this.running.splice(this.running.indexOf(r), 1);
        this.onRestart(this.start(spec), code);
      }, 1_000);
    });
    return r;
  }

  /** Stops everything, tier by tier from the top (apps, sidecars, control plane, data stores). */
  async stopAll(graceMs = 8_000): Promise<void> {
    this.stopping = true;
    const tiers = [...new Set(this.running.map((r) => r.spec.tier ?? 0))].sort((a, b) => b - a);
    for (const tier of tiers) {
      await Promise.all(
        this.running.filter((r) => (r.spec.tier ?? 0) === tier).map((r) => this.stop(r, graceMs)),
      );
    }
  }

  async stop(r: Running, graceMs = 8_000): Promise<void> {
    if (r.child.exitCode !== null || r.child.signalCode !== null) return;
    r.child.kill(r.spec.stopSignal ?? "SIGTERM");
    const timer = setTimeout(() => r.child.kill("SIGKILL"), graceMs);
    await r.exited;
    clearTimeout(timer);
  }

  pids(): Record<string, number | undefined> {
    return Object.fromEntries(this.running.map((r) => [r.spec.name, r.child.pid]));
  }
}
