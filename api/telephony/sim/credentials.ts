// The secrets the simulator signs with, from the environment or the local stack's secrets file (the
// same file and rules as the launcher: scripts/stack/secrets.ts).
import { join, resolve } from "node:path";
import { loadOrCreateSecrets } from "../../../scripts/stack/secrets.ts";
import type { Credentials } from "./http.ts";

export function simCredentials(stateDir: string, env: NodeJS.ProcessEnv = process.env): Credentials {
  const s = loadOrCreateSecrets(join(resolve(stateDir), "secrets.env"), env);
  return { twilioAuthToken: s.DCE_TWILIO_AUTH_TOKEN, telnyxPrivateKey: s.DCE_TELNYX_SIM_PRIVATE_KEY };
}
