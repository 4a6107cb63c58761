// Save-time egress checks in-process (no backing service is reached: a refusal comes first): https is
// required with the local-stack switch off, and a name resolving to an internal address is refused.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../actors/platform/config.ts";
import type { Resolve } from "../actors/platform/egress.ts";
import { TEST_ADMIN_KEY as ADMIN, offlineApp, TEST_ENV } from "./openapi/test-app.ts";

const headers = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
const campaign = (url: string) => ({
  name: "rtb",
  vertical: "solar",
  bidMicros: 1_000_000,
  minDurationSec: 60,
  destination: { number: "+13059870000" },
  rtb: { url, timeoutMs: 200 },
});
const resolvesTo =
  (address: string): Resolve =>
  async () => [{ address, family: 4 }];
const env = TEST_ENV;

async function post(app: ReturnType<typeof offlineApp>, path: string, body: unknown) {
  const res = await app.request(path, { method: "POST", headers, body: JSON.stringify(body) });
  return {
    status: res.status,
    body: (await res.json()) as { code: string; errors?: { path: string; message: string }[] },
  };
}

describe("outbound URLs at save time", () => {
  it("requires https when the local-stack switch is off (the default)", async () => {
    const app = offlineApp({ resolve: resolvesTo("93.184.216.34") });
    const rtb = await post(
      app,
      "/v1/buyers/byr_00000000000000000000000000/campaigns",
      campaign("http://bids.buyer.test/ping"),
    );
    expect(rtb).toEqual({
      status: 400,
      body: expect.objectContaining({
        code: "destination_not_allowed",
        errors: [{ path: "rtb.url", message: "must be an https URL" }],
      }),
    });
    const hook = await post(app, "/v1/webhooks", {
      url: "http://hooks.buyer.test/",
      eventTypes: ["call.billable"],
    });
    expect(hook.status).toBe(400);
    expect(hook.body.errors).toEqual([{ path: "url", message: "must be an https URL" }]);
  });

  it("refuses a name that resolves to a private or loopback address", async () => {
    const privateName = offlineApp({ resolve: resolvesTo("10.1.2.3") });
    const rtb = await post(
      privateName,
      "/v1/buyers/byr_00000000000000000000000000/campaigns",
      campaign("https://bids.buyer.test/ping"),
    );
    expect(rtb.status).toBe(400);
    expect(rtb.body.errors).toEqual([{ path: "rtb.url", message: "resolves to a private-network address" }]);
    const loopbackName = offlineApp({ resolve: resolvesTo("127.0.0.1") });
    const hook = await post(loopbackName, "/v1/webhooks", {
      url: "https://hooks.buyer.test/",
      eventTypes: ["call.billable"],
    });
    expect(hook.body.errors).toEqual([{ path: "url", message: "resolves to a loopback address" }]);
  });

  it("with the switch on (DCE_EGRESS_ALLOW_LOCAL, or its old name), http and loopback pass the guard; private does not", async () => {
    for (const name of ["DCE_EGRESS_ALLOW_LOCAL", "DCE_WEBHOOK_ALLOW_PRIVATE"]) {
      const config = loadConfig({ ...env, [name]: "true" });
      expect(config.egressAllowLocal, name).toBe(true);
      const local = offlineApp({ config, resolve: resolvesTo("127.0.0.1") });
      // Past the guard the route reaches a backing service, which this app does not have.
      const passed = await post(
        local,
        "/v1/buyers/byr_00000000000000000000000000/campaigns",
        campaign("http://bids.buyer.test/ping"),
      );
      expect(passed.body.code).not.toBe("destination_not_allowed");
      const privateName = offlineApp({ config, resolve: resolvesTo("192.168.0.10") });
      const refused = await post(privateName, "/v1/webhooks", {
        url: "http://hooks.buyer.test/",
        eventTypes: ["call.billable"],
      });
      expect(refused.body.code).toBe("destination_not_allowed");
    }
    expect(loadConfig(env).egressAllowLocal).toBe(false);
  });
});
