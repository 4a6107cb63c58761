// The local sidecar components agree with the apps that use them.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = resolve(import.meta.dirname, "../..");

describe("sidecar-components/pubsub.yaml", () => {
  it("runs at least as many handlers as the events app's bulk batch holds, so batches can fill", () => {
    const doc = parse(readFileSync(join(root, "sidecar-components/pubsub.yaml"), "utf8")) as {
      spec: { metadata: { name: string; value: string }[] };
    };
    const meta = new Map(doc.spec.metadata.map((m) => [m.name, Number(m.value)]));
    const main = readFileSync(join(root, "api/events/main.ts"), "utf8");
    const batch = Number(/maxMessagesCount:\s*(\d+)/.exec(main)?.[1]);
    expect(batch).toBeGreaterThan(1);
    expect(meta.get("concurrency")).toBeGreaterThanOrEqual(batch);
    expect(meta.get("queueDepth")).toBeGreaterThanOrEqual(batch);
  });
});

describe("sidecar-components/pubsub.yaml trimming", () => {
  it("never trims the stream on publish: no maxLenApprox or streamTTL (unread events would go)", () => {
    const doc = parse(readFileSync(join(root, "sidecar-components/pubsub.yaml"), "utf8")) as {
      spec: { metadata: { name: string; value: string }[] };
    };
    const names = doc.spec.metadata.map((m) => m.name);
    expect(names).not.toContain("maxLenApprox");
    expect(names).not.toContain("streamTTL");
  });
});
