import { describe, expect, it } from "vitest";
import { checkpointIntervalMs, checkpointKeyFrom, checkpointSigned, signCheckpoint } from "./checkpoint.ts";

const KEY = "a".repeat(64);
const heads = [
  { chain: 3, seq: 7, hash: "c".repeat(64) },
  { chain: 0, seq: 2, hash: "b".repeat(64) },
];

describe("audit checkpoints", () => {
  it("sign the heads in chain order with their total seq, and verify with the key only", () => {
    const c = signCheckpoint(KEY, 12, heads, "2026-12-02T00:00:00.000Z");
    expect(c).toMatchObject({ id: 12, seq: 9, heads: [{ chain: 0 }, { chain: 3 }] });
    expect(c.head).toMatch(/^[0-9a-f]{64}$/);
    expect(checkpointSigned(KEY, c)).toBe(true);
    expect(checkpointSigned("b".repeat(64), c)).toBe(false);
  });

  it("refuse any field changed after signing", () => {
    const c = signCheckpoint(KEY, 12, heads, "2026-12-02T00:00:00.000Z");
    const shorter = [{ ...c.heads[0]! }, { ...c.heads[1]!, seq: 5 }];
    for (const forged of [
      { ...c, id: 13 },
      { ...c, seq: 8 },
      { ...c, at: "2026-12-02T00:00:01.000Z" },
      { ...c, heads: shorter },
      { ...signCheckpoint(KEY, 12, shorter, c.at), head: c.head },
      { ...c, mac: "00" },
    ])
      expect(checkpointSigned(KEY, forged)).toBe(false);
  });

  it("need a key of at least 32 characters and a positive interval", () => {
    expect(() => checkpointKeyFrom({})).toThrow(/DCE_AUDIT_CHECKPOINT_KEY must be set/);
    expect(() => checkpointKeyFrom({ DCE_AUDIT_CHECKPOINT_KEY: "short" })).toThrow(/at least 32/);
    expect(checkpointKeyFrom({ DCE_AUDIT_CHECKPOINT_KEY: KEY })).toBe(KEY);
    expect(checkpointIntervalMs({})).toBe(60_000);
    expect(checkpointIntervalMs({ DCE_AUDIT_CHECKPOINT_SEC: "5" })).toBe(5_000);
    expect(() => checkpointIntervalMs({ DCE_AUDIT_CHECKPOINT_SEC: "0" })).toThrow(/positive/);
  });
});
