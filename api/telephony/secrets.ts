// The carrier edge's secrets, read by the API process only (never the actor host or events app).
export interface CarrierSecrets {
  /** Twilio's auth token: the HMAC key of X-Twilio-Signature. */
  twilioAuthToken: string;
  /** Telnyx's Ed25519 public key, base64 of the raw 32 bytes as its portal shows it. */
  telnyxPublicKey: string;
}

export function carrierSecretsFrom(env: Record<string, string | undefined>): CarrierSecrets {
  return {
    twilioAuthToken: env.DCE_TWILIO_AUTH_TOKEN ?? "",
    telnyxPublicKey: env.DCE_TELNYX_PUBLIC_KEY ?? "",
  };
}
