import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../actors/kernel/canonical-json.ts";
import { ed25519PrivateKey } from "../../scripts/stack/secrets.ts";
import { dossierKeyFrom } from "./key.ts";
import { keyIdOf, publicKeyFrom, signatureValid, signBody, signingKeyFrom } from "./sign.ts";

const key = signingKeyFrom(ed25519PrivateKey());

describe("canonical JSON", () => {
  it("orders keys at every depth and leaves out undefined members", () => {
    const a = { b: 1, a: { d: [1, { z: 1, y: 2 }], c: "x" }, u: undefined };
    const b = { a: { c: "x", d: [1, { y: 2, z: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"c":"x","d":[1,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });
  it("keeps array order and escapes strings as JSON does", () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson({ "é\n": '"' })).toBe('{"é\\n":"\\""}');
  });
});

describe("Ed25519 dossier signatures", () => {
  const body = { callId: "c1", records: [{ seq: 1, data: { a: 1, b: 2 } }] };

  it("verifies with the public key alone, whatever the key order of the body", () => {
    const sig = signBody(key, body);
    expect(sig.algorithm).toBe("Ed25519");
    expect(sig.signingKeyId).toBe(keyIdOf(key.publicKey));
    expect(
      signatureValid(key.publicKey, { records: [{ data: { b: 2, a: 1 }, seq: 1 }], callId: "c1" }, sig),
    ).toBe(true);
  });
  it("refuses a changed body, another key, a truncated or foreign signature", () => {
    const sig = signBody(key, body);
    expect(signatureValid(key.publicKey, { ...body, callId: "c2" }, sig)).toBe(false);
    const other = signingKeyFrom(ed25519PrivateKey());
    expect(signatureValid(other.publicKey, body, sig)).toBe(false);
    expect(signatureValid(key.publicKey, body, { ...sig, ed25519: sig.ed25519.slice(0, 40) })).toBe(false);
    expect(signatureValid(key.publicKey, body, { ...sig, algorithm: "HS256" as "Ed25519" })).toBe(false);
    expect(signatureValid("bm90IGEga2V5", body, sig)).toBe(false);
  });
  it("reads public keys only as 32 raw bytes", () => {
    expect(publicKeyFrom(key.publicKey)).toBeDefined();
    expect(publicKeyFrom(Buffer.alloc(31).toString("base64"))).toBeUndefined();
  });
  it("takes the key from the environment, optional but never malformed", () => {
    expect(dossierKeyFrom({})).toBeUndefined();
    const pkcs8 = ed25519PrivateKey();
    expect(dossierKeyFrom({ DCE_DOSSIER_SIGNING_KEY: pkcs8 })?.publicKey).toBe(
      signingKeyFrom(pkcs8).publicKey,
    );
    expect(() => dossierKeyFrom({ DCE_DOSSIER_SIGNING_KEY: "bm9wZQ==" })).toThrow(/DCE_DOSSIER_SIGNING_KEY/);
    const rsa = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
      format: "der",
      type: "pkcs8",
    });
    expect(() => dossierKeyFrom({ DCE_DOSSIER_SIGNING_KEY: rsa.toString("base64") })).toThrow(/Ed25519/);
  });
});
