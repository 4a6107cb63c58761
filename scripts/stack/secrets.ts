// Local development secrets, generated once into the state directory; the environment wins.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { type PiiKeyring, parsePiiKeys } from "../../actors/runtime/pii-keys.ts";

export interface LocalSecrets {
  DCE_PII_KEY: string;
  DCE_ADMIN_API_KEY: string;
}

export function loadOrCreateSecrets(file: string): LocalSecrets {
  const stored: Record<string, string> = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) stored[m[1]!] = m[2]!;
    }
  }
  const secrets: LocalSecrets = {
    DCE_PII_KEY: process.env.DCE_PII_KEY ?? stored.DCE_PII_KEY ?? randomBytes(32).toString("hex"),
    DCE_ADMIN_API_KEY:
      process.env.DCE_ADMIN_API_KEY ??
      stored.DCE_ADMIN_API_KEY ??
      `dce_admin_${randomBytes(24).toString("base64url")}`,
  };
  if (!existsSync(file)) {
    const body = Object.entries(secrets)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n");
    writeFileSync(file, `# local development secrets (generated; never commit)\n${body}\n`, { mode: 0o600 });
  }
  return secrets;
}

/** The PII keyring scripts use: DCE_PII_KEY from the secrets, DCE_PII_KEYS (rotation) from the environment. */
export function piiKeysOf(secrets: LocalSecrets, env = process.env): PiiKeyring {
  const { keys, problems } = parsePiiKeys({
    DCE_PII_KEY: secrets.DCE_PII_KEY,
    DCE_PII_KEYS: env.DCE_PII_KEYS,
  });
  if (!keys) throw new Error(`invalid PII keys:\n  - ${problems.join("\n  - ")}`);
  return keys;
}
