import { createHash, createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deriveKey, KEY_ID, keyIdOf, LABELS, open, PiiKeyring, parsePiiKeys, seal } from "./pii-keys.ts";

const master = Buffer.alloc(32, 7);
const hex = (b: Buffer) => b.toString("hex");
const k = (id: string, byte: number) => ({ id, secret: Buffer.alloc(32, byte) });

describe("key derivation", () => {
  it("derives one distinct key per purpose, none equal to the master, the same every time", () => {
    const keys = Object.values(LABELS).map((label) => hex(deriveKey(master, label)));
    expect(new Set([...keys, hex(master)]).size).toBe(keys.length + 1);
    expect(Object.values(LABELS).map((label) => hex(deriveKey(Buffer.alloc(32, 7), label)))).toEqual(keys);
    expect(hex(deriveKey(Buffer.alloc(32, 8), LABELS.hash))).not.toBe(keys[0]);
  });

  it("hashes with the derived keyed-hash key, not with the master", () => {
    const ring = new PiiKeyring(master, [k("k1", 7)]);
    const plain = createHmac("sha256", master).update("+12025550123").digest("hex");
    expect(ring.mac("ph_", "+12025550123")).toBe(
      `ph_${createHmac("sha256", deriveKey(master, LABELS.hash)).update("+12025550123").digest("hex")}`,
    );
    expect(ring.mac("ph_", "+12025550123")).not.toContain(plain);
    expect(ring.mac("ph_", "x")).not.toContain(createHash("sha256").update("x").digest("hex"));
  });
});

describe("key ids on ciphertexts", () => {
  it("seals under the current id and opens every listed generation", () => {
    const old = new PiiKeyring(master, [k("k1", 1)]);
    const sealed = old.seal("subject-key", Buffer.from("secret"));
    expect(keyIdOf(sealed)).toBe("k1");
    const rotated = new PiiKeyring(master, [k("k2", 2), k("k1", 1)]);
    expect(rotated.open("subject-key", sealed).toString()).toBe("secret");
    expect(rotated.stale(sealed)).toBe(true);
    const fresh = rotated.seal("subject-key", Buffer.from("new"));
    expect(keyIdOf(fresh)).toBe("k2");
    expect(rotated.stale(fresh)).toBe(false);
    expect(() => new PiiKeyring(master, [k("k2", 2)]).open("subject-key", sealed)).toThrow(
      /no PII key with id k1/,
    );
  });

  it("keeps purposes apart: a webhook secret does not open as a subject key", () => {
    const ring = new PiiKeyring(master, [k("k1", 1)]);
    const sealed = ring.seal("webhook-secret", Buffer.from("whsec"));
    expect(() => ring.open("subject-key", sealed)).toThrow();
  });

  it("opens ciphertexts sealed before key ids: subject keys under the master, webhook secrets under its derived key", () => {
    const ring = new PiiKeyring(master, [k("k9", 9)]);
    expect(ring.open("subject-key", seal(master, Buffer.from("a"))).toString()).toBe("a");
    const webhookKey = deriveKey(master, "dce webhook secrets v1");
    expect(ring.open("webhook-secret", seal(webhookKey, Buffer.from("b"))).toString()).toBe("b");
    expect(ring.stale(seal(master, Buffer.from("a")))).toBe(true);
    expect(open(master, seal(master, Buffer.from("c"))).toString()).toBe("c");
  });
});

describe("parsePiiKeys", () => {
  const a = randomBytes(32).toString("hex");
  const b = randomBytes(32).toString("hex");

  it("uses DCE_PII_KEY as the one encryption master k1 when DCE_PII_KEYS is unset", () => {
    const { keys } = parsePiiKeys({ DCE_PII_KEY: a });
    expect(keys?.current).toBe("k1");
    expect(keys?.ids()).toEqual(["k1"]);
  });

  it("lists DCE_PII_KEYS current first; the hash key stays derived from DCE_PII_KEY", () => {
    const one = parsePiiKeys({ DCE_PII_KEY: a, DCE_PII_KEYS: `k2:${b}` }).keys;
    const two = parsePiiKeys({ DCE_PII_KEY: a, DCE_PII_KEYS: `k3:${a}, k2:${b}` }).keys;
    expect(two?.current).toBe("k3");
    expect(two?.ids()).toEqual(["k3", "k2"]);
    expect(hex(two?.hashKey ?? Buffer.alloc(0))).toBe(hex(one?.hashKey ?? Buffer.alloc(1)));
  });

  it("reports every bad entry by name", () => {
    expect(parsePiiKeys({ DCE_PII_KEY: "00" }).problems).toEqual([
      "DCE_PII_KEY must be 64 hex characters (32 bytes)",
    ]);
    const { keys, problems } = parsePiiKeys({
      DCE_PII_KEY: a,
      DCE_PII_KEYS: `K1:${a},k2:zz,k3:${a},k3:${b}`,
    });
    expect(keys).toBeNull();
    expect(problems).toEqual([
      'DCE_PII_KEYS entry 1 must be "id:<64 hex>" with an id of [a-z0-9]{1,16}',
      'DCE_PII_KEYS entry 2 must be "id:<64 hex>" with an id of [a-z0-9]{1,16}',
      "DCE_PII_KEYS lists key id k3 twice",
    ]);
    expect(KEY_ID.test("k1")).toBe(true);
  });
});
