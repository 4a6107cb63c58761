// The README's curl walk-through must work verbatim: run its shell block against the real stack.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { randomCaller } from "./client.ts";
import { run } from "./run.ts";
import { ROOT, STATE_DIR } from "./stack.ts";

describe("README walk-through", () => {
  it("runs verbatim and ends with a billable call and the charged balance", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = /<!-- walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(
      readme,
    )?.[1];
    expect(block, "README has a walk-through block").toBeTruthy();
    // The block reads .data/secrets.env relative to the repo; point it at this run's state directory.
    // A vertical of its own, so buyers left by earlier runs on a reused stack do not compete.
    const vertical = `auto_insurance_${Date.now().toString(36)}`;
    const script = block!
      .replaceAll(".data/secrets.env", join(STATE_DIR, "secrets.env"))
      .replaceAll('"vertical":"auto_insurance"', `"vertical":"${vertical}"`);
    expect(script).toContain(vertical);
    const r = await run("bash", ["-euo", "pipefail", "-c", script], { cwd: ROOT, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toContain('"status":"routed"');
    expect(out).toContain('"priceMicros":10010000');
    expect(out).toContain('"recordingDisclosure":true');
    expect(out).toContain(
      '{"billable":true,"chargedMicros":10010000,"payoutMicros":7007000,"marginMicros":3003000}',
    );
    expect(out).toContain(
      '{"balanceMicros":89990000,"creditLimitMicros":0,"reservedMicros":0,"availableMicros":89990000}',
    );
  });

  it("runs the simulator walk-through verbatim: a carrier call on a tracking number, billed on the carrier's duration", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = /<!-- sim-walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- sim-walkthrough:end -->/.exec(
      readme,
    )?.[1];
    expect(block, "README has a simulator walk-through block").toBeTruthy();
    // Its own vertical and tracking number, so earlier runs on a reused stack neither compete nor collide.
    const vertical = `auto_insurance_${Date.now().toString(36)}`;
    const number = randomCaller("954");
    const script = block!
      .replaceAll(".data/secrets.env", join(STATE_DIR, "secrets.env"))
      .replaceAll('"vertical":"auto_insurance"', `"vertical":"${vertical}"`)
      .replaceAll("+19548720000", number);
    expect(script).toContain(number);
    const r = await run("bash", ["-euo", "pipefail", "-c", script], {
      cwd: ROOT,
      timeout: 90_000,
      env: { ...process.env, DCE_STATE_DIR: STATE_DIR },
    });
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toContain(`"number":"${number}"`);
    expect(out).toMatch(/status completed 125s +POST \/v1\/telephony\/twilio\/calls\/call_/);
    expect(out).toContain("action completed 125s");
    expect(out).toContain(
      '{"billable":true,"chargedMicros":10010000,"payoutMicros":7007000,"marginMicros":3003000}',
    );
    expect(out).toContain(
      '{"balanceMicros":89990000,"creditLimitMicros":0,"reservedMicros":0,"availableMicros":89990000}',
    );
  }, 120_000);
});
