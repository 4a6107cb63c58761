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
