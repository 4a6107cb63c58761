// The test-side command runner: output, exit codes and the timeout, with the event loop left free.
import { describe, expect, it } from "vitest";
import { run } from "./run.ts";

describe("run", () => {
  it("collects stdout and stderr and the exit code", async () => {
    const r = await run(process.execPath, [
      "-e",
      "console.log('out'); console.error('err'); process.exit(3)",
    ]);
    expect(r).toEqual({ status: 3, stdout: "out\n", stderr: "err\n" });
  });

  it("keeps the event loop turning while the command runs", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    await run(process.execPath, ["-e", "setTimeout(() => {}, 300)"]);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });

  it("kills a command that outlives its timeout", async () => {
    const r = await run(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { timeout: 100 });
    expect(r.status).toBeNull();
  });
});
