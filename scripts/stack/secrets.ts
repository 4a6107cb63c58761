// Local development secrets, generated once into the state directory (mode 0600); the environment wins.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { type PiiKeyring, parsePiiKeys } from "../../actors/platform/pii-keys.ts";

export interface LocalSecrets {
  DCE_PII_KEY: string;
  DCE_ADMIN_API_KEY: string;
  /** Every daprd requires it in `dapr-api-token`; every app sends it to its sidecar. */
  DAPR_API_TOKEN: string;
  /** Every daprd sends it to its app in `dapr-api-token`; the apps refuse callbacks without it. */
  APP_API_TOKEN: string;
  /** Signs the audit log's checkpoints of its chain heads (HMAC-SHA256); the API requires it. */
  DCE_AUDIT_CHECKPOINT_KEY: string;
  /** The database owner role's password: migrations only, never given to an app. */
  DCE_DB_OWNER_PASSWORD: string;
  /** Twilio's auth token: the API checks `X-Twilio-Signature` with it (the simulator signs with it). */
  DCE_TWILIO_AUTH_TOKEN: string;
  /** Telnyx's Ed25519 public key (base64 of the raw 32 bytes): the API checks Telnyx signatures. */
  DCE_TELNYX_PUBLIC_KEY: string;
  /** The matching private key (PKCS8 DER, base64): the carrier simulator only, never given to an app. */
  DCE_TELNYX_SIM_PRIVATE_KEY: string;
  /** Signs call dossiers (Ed25519, PKCS8 DER, base64); its public half is served at /v1/dossiers/public-key. */
  DCE_DOSSIER_SIGNING_KEY: string;
}

/** A local Ed25519 pair standing in for Telnyx's: the public half as Telnyx shows it, the private in PKCS8. */
export function telnyxKeyPair(): { publicKey: string; privateKey: string } {
  const pair = generateKeyPairSync("ed25519");
  return {
    // SPKI DER for Ed25519 is a 12-byte prefix and the raw 32-byte key.
    publicKey: pair.publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("base64"),
    privateKey: pair.privateKey.export({ format: "der", type: "pkcs8" }).toString("base64"),
  };
}

type Generated = Exclude<keyof LocalSecrets, "DCE_TELNYX_PUBLIC_KEY" | "DCE_TELNYX_SIM_PRIVATE_KEY">;

/** A fresh Ed25519 private key as PKCS8 DER in base64 (how DCE_DOSSIER_SIGNING_KEY is kept). */
export const ed25519PrivateKey = () =>
  generateKeyPairSync("ed25519").privateKey.export({ format: "der", type: "pkcs8" }).toString("base64");

const GENERATE: Record<Generated, () => string> = {
  DCE_PII_KEY: () => randomBytes(32).toString("hex"),
  DCE_ADMIN_API_KEY: () => `dce_admin_${randomBytes(24).toString("base64url")}`,
  DAPR_API_TOKEN: () => randomBytes(32).toString("hex"),
  APP_API_TOKEN: () => randomBytes(32).toString("hex"),
  DCE_AUDIT_CHECKPOINT_KEY: () => randomBytes(32).toString("hex"),
  DCE_DB_OWNER_PASSWORD: () => randomBytes(24).toString("hex"),
  DCE_TWILIO_AUTH_TOKEN: () => randomBytes(16).toString("hex"),
  DCE_DOSSIER_SIGNING_KEY: ed25519PrivateKey,
};

/**
 * Reads the secrets file, adds a generated value for any secret it lacks (a file from an older
 * version gains the new ones), and keeps it readable by its owner only. A value set in the
 * environment is used instead of the stored one (and is not written to the file).
 */
export function loadOrCreateSecrets(file: string, env: NodeJS.ProcessEnv = process.env): LocalSecrets {
  const stored: Record<string, string> = {};
  if (existsSync(file)) {
    chmodSync(file, 0o600); // a file from before this rule, or copied with wider permissions
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) stored[m[1]!] = m[2]!;
    }
  }
  const names = Object.keys(GENERATE) as Generated[];
  const missing: string[] = names.filter((name) => !stored[name]);
  for (const name of names) if (!stored[name]) stored[name] = GENERATE[name]();
  // The Telnyx pair is made together: one half without the other is useless.
  if (!stored.DCE_TELNYX_PUBLIC_KEY || !stored.DCE_TELNYX_SIM_PRIVATE_KEY) {
    const pair = telnyxKeyPair();
    stored.DCE_TELNYX_PUBLIC_KEY = pair.publicKey;
    stored.DCE_TELNYX_SIM_PRIVATE_KEY = pair.privateKey;
    missing.push("DCE_TELNYX_PUBLIC_KEY");
  }
  if (missing.length > 0) {
    const body = Object.entries(stored)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n");
    writeFileSync(file, `# local development secrets (generated; never commit)\n${body}\n`, { mode: 0o600 });
  }
  const value = (name: keyof LocalSecrets) => env[name] || stored[name]!;
  return {
    DCE_PII_KEY: value("DCE_PII_KEY"),
    DCE_ADMIN_API_KEY: value("DCE_ADMIN_API_KEY"),
    DAPR_API_TOKEN: value("DAPR_API_TOKEN"),
    APP_API_TOKEN: value("APP_API_TOKEN"),
    DCE_AUDIT_CHECKPOINT_KEY: value("DCE_AUDIT_CHECKPOINT_KEY"),
    DCE_DB_OWNER_PASSWORD: value("DCE_DB_OWNER_PASSWORD"),
    DCE_TWILIO_AUTH_TOKEN: value("DCE_TWILIO_AUTH_TOKEN"),
    DCE_TELNYX_PUBLIC_KEY: value("DCE_TELNYX_PUBLIC_KEY"),
    DCE_TELNYX_SIM_PRIVATE_KEY: value("DCE_TELNYX_SIM_PRIVATE_KEY"),
    DCE_DOSSIER_SIGNING_KEY: value("DCE_DOSSIER_SIGNING_KEY"),
  };
}

/** The secrets an app process gets: all but the database owner's password and the simulator's key. */
export function appSecrets(
  secrets: LocalSecrets,
): Omit<LocalSecrets, "DCE_DB_OWNER_PASSWORD" | "DCE_TELNYX_SIM_PRIVATE_KEY"> {
  const { DCE_DB_OWNER_PASSWORD: _owner, DCE_TELNYX_SIM_PRIVATE_KEY: _sim, ...rest } = secrets;
  return rest;
}

/** The role migrations run as: it owns the schema; the apps connect as DATABASE_URL's role. */
export const OWNER_ROLE = "dce_owner";

/**
 * The migrations' connection: DATABASE_OWNER_URL, else the apps' DATABASE_URL with the owner role and
 * its password from the secrets.
 */
export function ownerUrlOf(
  appUrl: string,
  secrets: Pick<LocalSecrets, "DCE_DB_OWNER_PASSWORD">,
  env = process.env,
): string {
  if (env.DATABASE_OWNER_URL) return env.DATABASE_OWNER_URL;
  const url = new URL(appUrl);
  url.username = OWNER_ROLE;
  url.password = encodeURIComponent(secrets.DCE_DB_OWNER_PASSWORD);
  return url.toString();
}

/** The PII keyring scripts use: DCE_PII_KEY from the secrets, DCE_PII_KEYS (rotation) from the environment. */
export function piiKeysOf(secrets: Pick<LocalSecrets, "DCE_PII_KEY">, env = process.env): PiiKeyring {
  const { keys, problems } = parsePiiKeys({
    DCE_PII_KEY: secrets.DCE_PII_KEY,
    DCE_PII_KEYS: env.DCE_PII_KEYS,
  });
  if (!keys) throw new Error(`invalid PII keys:\n  - ${problems.join("\n  - ")}`);
  return keys;
}
