// The project runs on Node.js 24 (scripts/node24.sh installs it; npm test and npm start put it first on
// PATH): this test fails when the test runner itself runs on another Node.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

describe("Node.js", () => {
  it("runs the tests on Node.js 24, the version scripts/node24.sh pins", () => {
    const pinned = /^NODE_VERSION=(\d+\.\d+\.\d+)$/m.exec(
      readFileSync(join(root, "scripts/node24.sh"), "utf8"),
    );
    expect(pinned?.[1]).toMatch(/^24\./);
    expect(process.versions.node.split(".")[0], `running on Node ${process.versions.node}`).toBe("24");
  });

  it("requires Node.js 24 in package.json, with its types", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(pkg.engines.node).toBe(">=24");
    expect(pkg.devDependencies["@types/node"]).toMatch(/^\^24\./);
  });
});
