import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { signTelnyx } from "../../api/telephony/sign.ts";
import { verifyTelnyx } from "../../api/telephony/signatures.ts";
import { privateDir, privateFile } from "./private-files.ts";
import { appSecrets, loadOrCreateSecrets } from "./secrets.ts";
import { Supervisor } from "./supervisor.ts";

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const made: string[] = [];
const scratch = () => {
  made.push(mkdtempSync(join(tmpdir(), "dce-private-")));
  return made.at(-1)!;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe("privateDir and privateFile", () => {
  it("create the directory 0700 and the file 0600", () => {
    const dir = privateDir(join(scratch(), "state", "logs"));
    expect(mode(dir)).toBe("700");
    expect(mode(privateFile(join(dir, "a.log")))).toBe("600");
  });

  it("narrow a directory and a file left wider, keeping the file's content", () => {
    const dir = join(scratch(), "old");
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, "a.log"), "kept\n", { mode: 0o644 });
    chmodSync(join(dir, "a.log"), 0o644);
    privateDir(dir);
    privateFile(join(dir, "a.log"));
    expect(mode(dir)).toBe("700");
    expect(mode(join(dir, "a.log"))).toBe("600");
    expect(readFileSync(join(dir, "a.log"), "utf8")).toBe("kept\n");
  });
});

describe("loadOrCreateSecrets", () => {
  it("writes generated secrets and tokens to a 0600 file and reads them back", () => {
    const file = join(scratch(), "secrets.env");
    const first = loadOrCreateSecrets(file, {});
    expect(mode(file)).toBe("600");
    expect(first.DAPR_API_TOKEN).toMatch(/^[0-9a-f]{64}$/);
    expect(first.APP_API_TOKEN).toMatch(/^[0-9a-f]{64}$/);
    expect(first.APP_API_TOKEN).not.toBe(first.DAPR_API_TOKEN);
    expect(loadOrCreateSecrets(file, {})).toEqual(first);
  });

  it("adds the tokens to an older file, keeps its values and narrows its mode", () => {
    const file = join(scratch(), "secrets.env");
    writeFileSync(file, `DCE_PII_KEY=${"ab".repeat(32)}\nDCE_ADMIN_API_KEY=dce_admin_old_key_0123456789\n`);
    chmodSync(file, 0o644);
    const s = loadOrCreateSecrets(file, {});
    expect(mode(file)).toBe("600");
    expect(s.DCE_PII_KEY).toBe("ab".repeat(32));
    expect(s.DCE_ADMIN_API_KEY).toBe("dce_admin_old_key_0123456789");
    expect(readFileSync(file, "utf8")).toContain(`DAPR_API_TOKEN=${s.DAPR_API_TOKEN}\n`);
    expect(readFileSync(file, "utf8")).toContain(`APP_API_TOKEN=${s.APP_API_TOKEN}\n`);
  });

  it("generates the carrier secrets: a Twilio token and a matching Telnyx key pair", () => {
    const file = join(scratch(), "secrets.env");
    writeFileSync(file, `DCE_PII_KEY=${"ab".repeat(32)}\n`);
    const s = loadOrCreateSecrets(file, {});
    expect(s.DCE_TWILIO_AUTH_TOKEN).toMatch(/^[0-9a-f]{32}$/);
    const body = "CallSid=CA1&To=%2B13125550100";
    const sig = signTelnyx(body, 1_800_000_000, s.DCE_TELNYX_SIM_PRIVATE_KEY);
    expect(verifyTelnyx(body, "1800000000", sig, s.DCE_TELNYX_PUBLIC_KEY, 1_800_000_000)).toBeNull();
    expect(loadOrCreateSecrets(file, {}).DCE_TELNYX_PUBLIC_KEY).toBe(s.DCE_TELNYX_PUBLIC_KEY);
    expect(appSecrets(s)).not.toHaveProperty("DCE_TELNYX_SIM_PRIVATE_KEY");
    expect(appSecrets(s)).toHaveProperty("DCE_TELNYX_PUBLIC_KEY", s.DCE_TELNYX_PUBLIC_KEY);
  });

  it("uses a value from the environment without writing it", () => {
    const file = join(scratch(), "secrets.env");
    const fromEnv = "e".repeat(64);
    expect(loadOrCreateSecrets(file, { DAPR_API_TOKEN: fromEnv }).DAPR_API_TOKEN).toBe(fromEnv);
    expect(readFileSync(file, "utf8")).not.toContain(fromEnv);
  });
});

describe("Supervisor logs", () => {
  it("writes each process's log 0600 in a 0700 directory, narrowing ones left wider", async () => {
    const logs = join(scratch(), "logs");
    mkdirSync(logs, { mode: 0o755 });
    chmodSync(logs, 0o755);
    writeFileSync(join(logs, "old.log"), "earlier run\n", { mode: 0o644 });
    chmodSync(join(logs, "old.log"), 0o644);
    const supervisor = new Supervisor(logs);
    const spec = (name: string) => ({
      name,
      command: process.execPath,
      args: ["-e", "setTimeout(() => {}, 60000)"],
      cwd: logs,
      env: {},
    });
    supervisor.start(spec("old"));
    supervisor.start(spec("new"));
    await supervisor.stopAll(2_000);
    expect(mode(logs)).toBe("700");
    expect(mode(join(logs, "old.log"))).toBe("600");
    expect(mode(join(logs, "new.log"))).toBe("600");
    expect(readFileSync(join(logs, "old.log"), "utf8")).toMatch(/^earlier run\n/);
  });
});
