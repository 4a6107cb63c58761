import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { simCredentials } from "./credentials.ts";

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("simCredentials", () => {
  it("reads the stack's secrets file (creating it as the launcher would), the environment first", () => {
    dir = mkdtempSync(join(tmpdir(), "dce-sim-"));
    const fromFile = simCredentials(dir, {});
    const file = readFileSync(join(dir, "secrets.env"), "utf8");
    expect(file).toContain(`DCE_TWILIO_AUTH_TOKEN=${fromFile.twilioAuthToken}`);
    expect(file).toContain(`DCE_TELNYX_SIM_PRIVATE_KEY=${fromFile.telnyxPrivateKey}`);
    expect(simCredentials(dir, {})).toEqual(fromFile); // read back, not generated again
    expect(simCredentials(dir, { DCE_TWILIO_AUTH_TOKEN: "from-env" }).twilioAuthToken).toBe("from-env");
  });
});
