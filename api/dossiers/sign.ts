// Ed25519 signatures over a dossier's canonical JSON: the exchange signs with its private key
// (DCE_DOSSIER_SIGNING_KEY), anyone verifies with the public key alone, offline.
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { canonicalJson } from "../../actors/kernel/canonical-json.ts";

export const ALGORITHM = "Ed25519";
// SPKI DER of an Ed25519 key is this fixed 12-byte prefix followed by the raw 32-byte key.
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export interface Signature {
  algorithm: typeof ALGORITHM;
  /** sha256 of the raw public key, first 16 hex digits: names the key that signed. */
  signingKeyId: string;
  /** Base64 of the 64-byte Ed25519 signature over the canonical JSON of the dossier body. */
  ed25519: string;
}

export interface SigningKey {
  privateKey: KeyObject;
  /** Base64 of the raw 32-byte public key (as `GET /v1/dossiers/public-key` serves it). */
  publicKey: string;
  keyId: string;
}

export const keyIdOf = (rawPublicBase64: string) =>
  createHash("sha256").update(Buffer.from(rawPublicBase64, "base64")).digest("hex").slice(0, 16);

/** The signing key from base64 PKCS8 DER (how the secrets file keeps it); throws on anything else. */
export function signingKeyFrom(pkcs8Base64: string): SigningKey {
  const privateKey = createPrivateKey({
    key: Buffer.from(pkcs8Base64, "base64"),
    format: "der",
    type: "pkcs8",
  });
  if (privateKey.asymmetricKeyType !== "ed25519")
    throw new Error("DCE_DOSSIER_SIGNING_KEY is not an Ed25519 key");
  const raw = createPublicKey(privateKey).export({ format: "der", type: "spki" }).subarray(12);
  const publicKey = raw.toString("base64");
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/** A public key from base64 of its raw 32 bytes; undefined when it is not one. */
export function publicKeyFrom(rawBase64: string): KeyObject | undefined {
  const raw = Buffer.from(rawBase64.trim(), "base64");
  if (raw.length !== 32) return undefined;
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" });
  } catch {
    return undefined;
  }
}

const bytesOf = (body: unknown) => Buffer.from(canonicalJson(body), "utf8");

export function signBody(key: SigningKey, body: unknown): Signature {
  return {
    algorithm: ALGORITHM,
    signingKeyId: key.keyId,
    ed25519: sign(null, bytesOf(body), key.privateKey).toString("base64"),
  };
}

/** True when `sig` is an Ed25519 signature by `publicKey` (raw base64) over `body`'s canonical JSON. */
export function signatureValid(publicKey: string, body: unknown, sig: Signature): boolean {
  const key = publicKeyFrom(publicKey);
  if (!key || sig?.algorithm !== ALGORITHM || typeof sig.ed25519 !== "string") return false;
  const value = Buffer.from(sig.ed25519, "base64");
  if (value.length !== 64) return false;
  return verify(null, bytesOf(body), key, value);
}
