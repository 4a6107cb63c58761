// The dossier signing key from the environment: optional (dossiers answer 503 without it), but a set
// key that is not an Ed25519 PKCS8 key stops the API at start rather than at the first dossier.
import { type SigningKey, signingKeyFrom } from "./sign.ts";

export function dossierKeyFrom(env: Record<string, string | undefined>): SigningKey | undefined {
  const raw = env.DCE_DOSSIER_SIGNING_KEY;
  if (!raw) return undefined;
  try {
    return signingKeyFrom(raw);
  } catch (err) {
    throw new Error(
      `DCE_DOSSIER_SIGNING_KEY must be an Ed25519 private key (PKCS8 DER, base64): ${(err as Error).message}`,
    );
  }
}
