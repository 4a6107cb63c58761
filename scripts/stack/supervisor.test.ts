// The supervisor's log handling: output that arrives after a child's exit (from a process it left
// behind) is still logged, and never crashes the launcher with a write after the log ended.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Supervisor } from "./supervisor.ts";

describe("Supervisor logs", () => {
  it("keeps logging output that arrives after the child exited", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dce-supervisor-"));
    const supervisor = new Supervisor(dir);
    const r = supervisor.start({
      name: "late",
      tier: 0,
      command: "sh",
      // printf builds the words, so the start line (which echoes the command) does not contain them.
      args: ["-c", "(sleep 0.3; printf 'late%s\\n' -line) & printf 'early%s\\n' -line"],
      cwd: dir,
      env: {},
    });
    expect(await r.exited).toBe(0);
    await supervisor.stopAll(); // no restart
    const log = () => readFileSync(join(dir, "late.log"), "utf8");
    for (let i = 0; i < 40 && !log().includes("--- exit"); i++)
      await new Promise((ok) => setTimeout(ok, 100));
    expect(log()).toMatch(/early-line\nlate-line\n--- exit code=0 signal=null\n$/);
  });
});

describe("Supervisor restarts", () => {
  const crashing = (dir: string) => ({
    name: "crashy",
    tier: 0,
    command: "sh",
    args: ["-c", "exit 3"],
    cwd: dir,
    env: {},
  });

  it("gives up on a process after its restart budget for the minute", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dce-supervisor-"));
    const supervisor = new Supervisor(dir, 2);
    let restarts = 0;
    supervisor.onRestart = () => restarts++;
    const gaveUp = new Promise<number | null>((ok) => {
      supervisor.onUnexpectedExit = (_r, code) => ok(code);
    });
    supervisor.start(crashing(dir));
    expect(await gaveUp).toBe(3);
    expect(restarts).toBe(2);
    await supervisor.stopAll();
  }, 15_000);

  it("restarts a process killed on purpose more often when given a larger budget", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dce-supervisor-"));
    const supervisor = new Supervisor(dir, 8);
    let gaveUp = false;
    supervisor.onUnexpectedExit = () => {
      gaveUp = true;
    };
    const sixth = new Promise<void>((ok) => {
      let n = 0;
      supervisor.onRestart = () => {
        if (++n === 6) ok();
      };
    });
    supervisor.start(crashing(dir));
    await sixth; // a sixth restart: the default budget (5) gives up instead
    expect(gaveUp).toBe(false);
    await supervisor.stopAll();
  }, 15_000);
});
