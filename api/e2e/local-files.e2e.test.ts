// The running stack's local files: the state directory is its owner's only, and so are the secrets
// file and every log.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STATE_DIR } from "./stack.ts";

const mode = (path: string) => statSync(path).mode & 0o777;

describe("local files of the running stack", () => {
  it("keeps .data at 0700, secrets.env at 0600 and every log at 0600", () => {
    expect(mode(STATE_DIR).toString(8)).toBe("700");
    expect(mode(join(STATE_DIR, "secrets.env")).toString(8)).toBe("600");
    const logs = join(STATE_DIR, "logs");
    expect(mode(logs).toString(8)).toBe("700");
    const files = readdirSync(logs);
    expect(files).toContain("exchange-actors-daprd.log");
    for (const file of files) expect(mode(join(logs, file)).toString(8), file).toBe("600");
  });
});
