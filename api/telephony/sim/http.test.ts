import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyTelnyx, verifyTwilio } from "../signatures.ts";
import { httpSend } from "./http.ts";

const TOKEN = "twilio-test-token";
const pair = generateKeyPairSync("ed25519");
const PRIVATE = pair.privateKey.export({ format: "der", type: "pkcs8" }).toString("base64");
const PUBLIC = pair.publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("base64");

let seen: { url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (d) => {
    body += d;
  });
  req.on("end", () => {
    seen.push({ url: req.url!, headers: req.headers, body });
    res.writeHead(200, { "content-type": "text/xml" }).end("<Response/>");
  });
});
let base = "";
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const PARAMS = { CallSid: "CA1", From: "+13059871234", To: "+13055550100", Digits: "1 2&3" };
const post = (provider: "twilio" | "telnyx", signature?: "valid" | "bad" | "missing") => {
  seen = [];
  return httpSend({
    provider,
    credentials: { twilioAuthToken: TOKEN, telnyxPrivateKey: PRIVATE },
    signature,
  })({
    kind: "voice",
    url: `${base}/v1/telephony/${provider}/voice?x=1`,
    method: "POST",
    params: PARAMS,
  });
};

describe("the simulator's signed requests", () => {
  it("Twilio: a form POST whose X-Twilio-Signature the carrier edge accepts (bad/missing refused)", async () => {
    expect(await post("twilio")).toEqual({ status: 200, body: "<Response/>" });
    const [r] = seen;
    expect(r!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(r!.body))).toEqual(PARAMS);
    const url = `${base}${r!.url}`;
    expect(verifyTwilio(url, PARAMS, TOKEN, r!.headers["x-twilio-signature"] as string)).toBeNull();
    await post("twilio", "bad");
    expect(verifyTwilio(url, PARAMS, TOKEN, seen[0]!.headers["x-twilio-signature"] as string)).toBe(
      "mismatch",
    );
    await post("twilio", "missing");
    expect(seen[0]!.headers["x-twilio-signature"]).toBeUndefined();
  });

  it("Telnyx: Ed25519 over timestamp|body that the carrier edge verifies (a stranger's key does not)", async () => {
    const check = () =>
      verifyTelnyx(
        seen[0]!.body,
        seen[0]!.headers["telnyx-timestamp"] as string,
        seen[0]!.headers["telnyx-signature-ed25519"] as string,
        PUBLIC,
        Math.floor(Date.now() / 1000),
      );
    await post("telnyx");
    expect(check()).toBeNull();
    await post("telnyx", "bad");
    expect(check()).toBe("mismatch");
    await post("telnyx", "missing");
    expect(check()).toBe("missing");
  });
});
