// Local development secrets, generated once into the state directory; the environment wins.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

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
