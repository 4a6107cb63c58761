// Runs a command from a test without blocking the test's event loop. spawnSync would: while it waits,
// the API closes the test's idle keep-alive sockets unseen, and the next request on one of them fails
// with "fetch failed: other side closed" (seen in CI after a repair run of more than five seconds).
import { spawn } from "node:child_process";

export interface RunResult {
  /** The exit code, or null when a signal (the timeout's included) ended it. */
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Milliseconds before the command is killed (SIGTERM); none by default. */
  timeout?: number;
}

export function run(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = opts.timeout ? setTimeout(() => child.kill("SIGTERM"), opts.timeout) : undefined;
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
