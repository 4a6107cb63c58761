// Crash points: off unless switched on at start (never in production), fire once, where armed, for
// the matching subject only, and kill the process that passes them without any cleanup.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { armCrash, claim, crashPointsDir, disarmCrash, firedCrash } from "./crash-points.ts";

const fresh = () => mkdtempSync(join(tmpdir(), "dce-crash-"));

describe("crash points", () => {
  it("are off unless DCE_CRASH_POINTS_DIR is set, and always off in production", () => {
    expect(crashPointsDir({})).toBeUndefined();
    expect(crashPointsDir({ DCE_CRASH_POINTS_DIR: "" })).toBeUndefined();
    expect(crashPointsDir({ DCE_CRASH_POINTS_DIR: "/tmp/x" })).toBe("/tmp/x");
    expect(crashPointsDir({ DCE_CRASH_POINTS_DIR: "/tmp/x", NODE_ENV: "production" })).toBeUndefined();
  });

  it("fire once, for the matching subject only, and record who fired", () => {
    const dir = fresh();
    expect(claim(dir, "call.after_capture_before_save", ["call_a"])).toBeNull(); // not armed
    armCrash(dir, "call.after_capture_before_save", "call_b");
    expect(claim(dir, "call.after_capture_before_save", ["call_a"])).toBeNull(); // another call
    expect(claim(dir, "actor.after_write_before_publish", ["call_b"])).toBeNull(); // another point
    const record = claim(dir, "call.after_capture_before_save", ["call_a", "call_b"]);
    expect(record).toMatchObject({ point: "call.after_capture_before_save", pid: process.pid });
    expect(record?.subjects).toEqual(["call_a", "call_b"]);
    expect(firedCrash(dir, "call.after_capture_before_save")).toEqual(record);
    expect(claim(dir, "call.after_capture_before_save", ["call_b"])).toBeNull(); // spent
    // Arming again clears the old record; an arm without a subject fires on any pass.
    armCrash(dir, "call.after_capture_before_save");
    expect(firedCrash(dir, "call.after_capture_before_save")).toBeNull();
    expect(claim(dir, "call.after_capture_before_save", [])?.subjects).toEqual([]);
  });

  it("armed for several passes, fire that many times for the subject, then are spent", () => {
    const dir = fresh();
    armCrash(dir, "call.fail_after_reserve_before_save", "call_a", 3);
    expect(claim(dir, "call.fail_after_reserve_before_save", ["call_b"])).toBeNull();
    for (let i = 0; i < 3; i++)
      expect(claim(dir, "call.fail_after_reserve_before_save", ["call_a"])).not.toBeNull();
    expect(claim(dir, "call.fail_after_reserve_before_save", ["call_a"])).toBeNull();
    armCrash(dir, "call.fail_after_reserve_before_save", "call_a", 2);
    disarmCrash(dir, "call.fail_after_reserve_before_save");
    expect(claim(dir, "call.fail_after_reserve_before_save", ["call_a"])).toBeNull();
  });

  it("kill the passing process with SIGKILL when armed, and let it through otherwise", () => {
    const dir = fresh();
    const script = join(dir, "pass.ts");
    const module = join(import.meta.dirname, "crash-points.ts");
    writeFileSync(
      script,
      `import { crashPoint } from ${JSON.stringify(module)};\n` +
        `crashPoint("events.after_commit_before_ack", () => ["evt_1"]);\nconsole.log("passed");\n`,
    );
    const run = (env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, ["--import", "tsx", script], {
        env: { ...process.env, NODE_ENV: "test", ...env },
        encoding: "utf8",
      });
    armCrash(dir, "events.after_commit_before_ack", "evt_1");
    // Switched off, an armed point is ignored.
    const off = run({ DCE_CRASH_POINTS_DIR: "" });
    expect({ status: off.status, out: off.stdout.trim() }).toEqual({ status: 0, out: "passed" });
    const prod = run({ DCE_CRASH_POINTS_DIR: dir, NODE_ENV: "production" });
    expect({ status: prod.status, out: prod.stdout.trim() }).toEqual({ status: 0, out: "passed" });
    const on = run({ DCE_CRASH_POINTS_DIR: dir });
    expect({ signal: on.signal, out: on.stdout }).toEqual({ signal: "SIGKILL", out: "" });
    expect(firedCrash(dir, "events.after_commit_before_ack")).toMatchObject({
      pid: on.pid,
      subjects: ["evt_1"],
    });
    expect(existsSync(join(dir, "events.after_commit_before_ack.armed"))).toBe(false);
    const again = run({ DCE_CRASH_POINTS_DIR: dir });
    expect({ status: again.status, out: again.stdout.trim() }).toEqual({ status: 0, out: "passed" });
  }, 30_000);
});
