// The carrier edge's refusals against real Redis: bad signatures are counted per client address in a
// bucket of their own, past the limit they get 429, and neither a correctly signed request from that
// address nor its API-key traffic is ever locked out by them.
import { randomInt } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../actors/platform/config.ts";
import { createRedis } from "../../actors/platform/redis.ts";
import { offlineApp, TEST_ENV } from "../openapi/test-app.ts";
import { signTwilio } from "./sign.ts";

const redis = createRedis("redis://127.0.0.1:6380");
afterAll(() => redis.quit());

const config = { ...loadConfig(TEST_ENV), authFailures: { max: 3, windowSec: 60 }, trustedProxyHops: 1 };
const app = offlineApp({ redis, config, carrierSecrets: { twilioAuthToken: "tok", telnyxPublicKey: "" } });
const path = "/v1/telephony/twilio/calls/call_x/status?bid=b1";
const params = { CallSid: "CA1", CallStatus: "ringing" };

function post(from: string, signature?: string) {
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    "x-forwarded-for": from,
  };
  if (signature) headers["x-twilio-signature"] = signature;
  return app.request(path, { method: "POST", headers, body: new URLSearchParams(params).toString() });
}

describe("carrier signature refusals", () => {
  it("locks an address out of bad carrier requests only, never its signed ones or its API keys", async () => {
    const from = `198.51.100.${randomInt(1, 255)}`;
    await redis.del(`dce:authfail:carrier:${from}`, `dce:authfail:${from}`);
    for (let i = 0; i < 3; i++) expect((await post(from, "forged")).status).toBe(403);
    const limited = await post(from, "forged");
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { code: string }).code).toBe("auth_failures_limited");
    // Correctly signed: past the signature and the lockout (the call itself is unreachable here).
    const signed = await post(from, signTwilio(`${config.publicUrl}${path}`, params, "tok"));
    expect([403, 429]).not.toContain(signed.status);
    expect((await post(from, "forged")).status).toBe(429);
    // The same address's API traffic has its own count: a missing key is 401, not 429.
    const api = await app.request("/v1/calls", { headers: { "x-forwarded-for": from } });
    expect(api.status).toBe(401);
  });
});
