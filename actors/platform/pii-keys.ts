// Keys for personal data. Every working key is derived from a master secret by HKDF-SHA256 with its own
// label, so the keyed hash never shares a key with a cipher. Masters carry ids; every ciphertext names
// the id it was sealed under ("k2.<base64url>"), so old generations stay readable while the current
// one writes. The keyed-hash key comes from DCE_PII_KEY alone: hashes are lookup keys (see docs/api.md).
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";

/** What a derived key is for; the label is part of the derivation, so each purpose gets its own key. */
export const LABELS = {
  hash: "dce pii v1 keyed hash",
  "subject-key": "dce pii v1 subject key wrap",
  // The label webhook secrets were sealed under before key ids existed: their old ciphertexts still open.
  "webhook-secret": "dce webhook secrets v1",
} as const;
export type Purpose = Exclude<keyof typeof LABELS, "hash">;

export interface MasterKey {
  id: string; // [a-z0-9]{1,16}
  secret: Buffer; // 32 bytes
}

export const KEY_ID = /^[a-z0-9]{1,16}$/;

export function deriveKey(master: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), label, 32));
}

/** AES-256-GCM with a fresh IV: `base64url(iv ‖ tag ‖ ciphertext)`. */
export function seal(key: Buffer, plain: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

export function open(key: Buffer, sealed: string): Buffer {
  const raw = Buffer.from(sealed, "base64url");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
}

/** The key id a ciphertext names, or null for one sealed before key ids (base64url has no "."). */
export function keyIdOf(sealed: string): string | null {
  const dot = sealed.indexOf(".");
  return dot > 0 ? sealed.slice(0, dot) : null;
}

export class PiiKeyring {
  /** HMAC-SHA256 key for phone hashes, offer request hashes and every lookup derived from a number. */
  readonly hashKey: Buffer;
  /** The id new ciphertexts are sealed under: the first of the encryption masters. */
  readonly current: string;
  private readonly masters: Map<string, Buffer>;
  private readonly derived = new Map<string, Buffer>();

  /**
   * @param hashMaster the master the keyed-hash key derives from (DCE_PII_KEY); it also opens
   *   ciphertexts sealed before key ids existed.
   * @param encryption the encryption masters, the current one first (DCE_PII_KEYS).
   */
  constructor(
    private readonly hashMaster: Buffer,
    encryption: MasterKey[],
  ) {
    if (encryption.length === 0) throw new Error("at least one encryption master is needed");
    this.hashKey = deriveKey(hashMaster, LABELS.hash);
    this.masters = new Map(encryption.map((m) => [m.id, m.secret]));
    this.current = encryption[0]!.id;
  }

  /** Key ids that can be read, the current one first. */
  ids(): string[] {
    return [...this.masters.keys()];
  }

  private key(id: string, purpose: Purpose): Buffer {
    const name = `${id}\u0000${purpose}`;
    let key = this.derived.get(name);
    if (!key) {
      const master = this.masters.get(id);
      if (!master)
        throw new Error(`no PII key with id ${id}: add it to DCE_PII_KEYS to read this ciphertext`);
      key = deriveKey(master, LABELS[purpose]);
      this.derived.set(name, key);
    }
    return key;
  }

  seal(purpose: Purpose, plain: Buffer): string {
    return `${this.current}.${seal(this.key(this.current, purpose), plain)}`;
  }

  open(purpose: Purpose, sealed: string): Buffer {
    const id = keyIdOf(sealed);
    if (id !== null) return open(this.key(id, purpose), sealed.slice(id.length + 1));
    // Sealed before key ids: subject keys were wrapped under DCE_PII_KEY itself, webhook secrets under
    // its derived key.
    const legacy = purpose === "subject-key" ? this.hashMaster : deriveKey(this.hashMaster, LABELS[purpose]);
    return open(legacy, sealed);
  }

  /** True when `sealed` is not under the current key id, so a re-wrap should rewrite it. */
  stale(sealed: string): boolean {
    return keyIdOf(sealed) !== this.current;
  }

  /** `prefix` + hex HMAC-SHA256 under the keyed-hash key, cut to `hexChars`. */
  mac(prefix: string, data: string, hexChars = 64): string {
    return `${prefix}${createHmac("sha256", this.hashKey).update(data).digest("hex").slice(0, hexChars)}`;
  }
}

/**
 * The keyring from DCE_PII_KEY (hex, required) and DCE_PII_KEYS (optional: "id:hex,id:hex", current
 * first). Without DCE_PII_KEYS, DCE_PII_KEY is also the one encryption master, id "k1".
 */
export function parsePiiKeys(
  env: Record<string, string | undefined>,
): { keys: PiiKeyring; problems: string[] } | { keys: null; problems: string[] } {
  const problems: string[] = [];
  const hex = env.DCE_PII_KEY ?? "";
  if (!/^[0-9a-f]{64}$/i.test(hex)) problems.push("DCE_PII_KEY must be 64 hex characters (32 bytes)");
  const list = (env.DCE_PII_KEYS ?? "").trim();
  const masters: MasterKey[] = [];
  if (list === "") {
    masters.push({ id: "k1", secret: Buffer.from(hex, "hex") });
  } else {
    for (const [i, entry] of list.split(",").entries()) {
      const [id = "", secret = ""] = entry.trim().split(":");
      if (!KEY_ID.test(id) || !/^[0-9a-f]{64}$/i.test(secret)) {
        problems.push(`DCE_PII_KEYS entry ${i + 1} must be "id:<64 hex>" with an id of [a-z0-9]{1,16}`);
      } else if (masters.some((m) => m.id === id)) {
        problems.push(`DCE_PII_KEYS lists key id ${id} twice`);
      } else masters.push({ id, secret: Buffer.from(secret, "hex") });
    }
  }
  if (problems.length > 0) return { keys: null, problems };
  return { keys: new PiiKeyring(Buffer.from(hex, "hex"), masters), problems };
}
