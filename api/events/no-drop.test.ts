// The events app never answers DROP: an event it cannot record goes to the dead letters (or RETRY).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("the events app", () => {
  it.each(["writer.ts", "server.ts", "main.ts", "dead-letters.ts", "replay.ts"])("%s has no DROP", (file) => {
    const source = readFileSync(new URL(`./${file}`, import.meta.url), "utf8");
    expect(source).not.toMatch(/DaprPubSubStatusEnum\.DROP|\bS\.DROP\b|"DROP"/);
  });
});
