// Carrier signatures against published vectors (Twilio's security docs, RFC 8032) and tampering.
import { generateKeyPairSync, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signTelnyx, signTwilio } from "./sign.ts";
import { telnyxPublicKey, twilioSignature, verifyTelnyx, verifyTwilio } from "./signatures.ts";

// Twilio's documented example: this URL, these parameters and auth token 12345 sign to this value.
const URL_ = "https://mycompany.com/myapp.php?foo=1&bar=2";
const PARAMS = {
  CallSid: "CA1234567890ABCDE",
  Caller: "+14158675310",
  Digits: "1234",
  From: "+14158675310",
  To: "+18005551212",
};

describe("Twilio signature", () => {
  it("matches Twilio's published example", () => {
    expect(twilioSignature(URL_, PARAMS, "12345")).toBe("GvWf1cFY/Q7PnoempGyD5oXAezc=");
    expect(signTwilio(URL_, PARAMS, "12345")).toBe("GvWf1cFY/Q7PnoempGyD5oXAezc=");
    expect(verifyTwilio(URL_, PARAMS, "12345", "GvWf1cFY/Q7PnoempGyD5oXAezc=")).toBeNull();
  });

  it("refuses a changed parameter, URL, token, or a missing signature", () => {
    const sig = "GvWf1cFY/Q7PnoempGyD5oXAezc=";
    expect(verifyTwilio(URL_, { ...PARAMS, Digits: "1235" }, "12345", sig)).toBe("mismatch");
    expect(verifyTwilio(URL_, { ...PARAMS, Extra: "" }, "12345", sig)).toBe("mismatch");
    expect(verifyTwilio(`${URL_}&x=1`, PARAMS, "12345", sig)).toBe("mismatch");
    expect(verifyTwilio(URL_, PARAMS, "12346", sig)).toBe("mismatch");
    expect(verifyTwilio(URL_, PARAMS, "12345", "short")).toBe("mismatch");
    expect(verifyTwilio(URL_, PARAMS, "12345", undefined)).toBe("missing");
    expect(verifyTwilio(URL_, PARAMS, "", sig)).toBe("not_configured");
  });
});

describe("Telnyx signature", () => {
  it("reads a raw 32-byte public key (RFC 8032 test vector 2)", () => {
    const pk = Buffer.from("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "hex");
    const sig = Buffer.from(
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
      "hex",
    );
    const key = telnyxPublicKey(pk.toString("base64"));
    expect(key && verify(null, Buffer.from([0x72]), key, sig)).toBe(true);
    expect(telnyxPublicKey(Buffer.alloc(31).toString("base64"))).toBeUndefined();
  });

  const pair = generateKeyPairSync("ed25519");
  const publicB64 = pair.publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("base64");
  const privateB64 = pair.privateKey.export({ format: "der", type: "pkcs8" }).toString("base64");
  const body = "CallSid=v3%3Aabc&From=%2B13125550100&To=%2B13125550199";
  const now = 1_800_000_000;

  it("verifies timestamp|body signed with the matching key", () => {
    const sig = signTelnyx(body, now, privateB64);
    // Independently: the signature is Ed25519 over the literal "1800000000|" + body.
    expect(verify(null, Buffer.from(`1800000000|${body}`), pair.publicKey, Buffer.from(sig, "base64"))).toBe(
      true,
    );
    expect(verifyTelnyx(body, String(now), sig, publicB64, now + 299)).toBeNull();
  });

  it("refuses tampering, another key, a replay outside 300 s and missing headers", () => {
    const sig = signTelnyx(body, now, privateB64);
    const other = generateKeyPairSync("ed25519").privateKey.export({ format: "der", type: "pkcs8" });
    expect(verifyTelnyx(`${body}&x=1`, String(now), sig, publicB64, now)).toBe("mismatch");
    expect(verifyTelnyx(body, String(now + 1), sig, publicB64, now)).toBe("mismatch");
    expect(
      verifyTelnyx(body, String(now), signTelnyx(body, now, other.toString("base64")), publicB64, now),
    ).toBe("mismatch");
    expect(verifyTelnyx(body, String(now), sig, publicB64, now + 301)).toBe("stale");
    expect(verifyTelnyx(body, String(now), sig, publicB64, now - 301)).toBe("stale");
    expect(verifyTelnyx(body, "abc", sig, publicB64, now)).toBe("stale");
    expect(verifyTelnyx(body, undefined, sig, publicB64, now)).toBe("missing");
    expect(verifyTelnyx(body, String(now), undefined, publicB64, now)).toBe("missing");
    expect(verifyTelnyx(body, String(now), sig, "", now)).toBe("not_configured");
  });
});
