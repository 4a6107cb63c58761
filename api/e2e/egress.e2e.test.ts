// The egress guard at save time through the real stack (the local-stack switch is on, as in dapr.yaml):
// RTB and webhook URLs pointing to private, CGNAT, link-local, metadata or unique-local addresses, in
// IPv4, IPv6 and IPv4-mapped spellings, or carrying credentials, are refused with 400
// destination_not_allowed and nothing is saved. These addresses are refused, never connected to.
import { describe, expect, it } from "vitest";
import { buyerKey } from "./bidders.ts";
import { call, createBuyer, createBuyerCampaign } from "./client.ts";

const REFUSED = [
  "http://10.0.0.5/bid",
  "http://172.16.0.1/bid",
  "http://192.168.1.1/bid",
  "http://100.64.0.1/bid", // CGNAT
  "http://169.254.169.254/latest/meta-data/", // cloud metadata
  "http://2852039166/latest/meta-data/", // the same, as one decimal number
  "http://169.254.1.1/bid", // link-local
  "http://[fd00:ec2::254]/latest/meta-data/", // AWS IPv6 metadata
  "http://[fc00::1]/bid", // unique-local
  "http://[fe80::1]/bid", // IPv6 link-local
  "http://[::ffff:10.0.0.1]/bid", // IPv4-mapped private
  "http://[::ffff:a9fe:a9fe]/bid", // IPv4-mapped metadata, hex form
  "http://[64:ff9b::a00:1]/bid", // NAT64 of 10.0.0.1
  "http://224.0.0.1/bid", // multicast
  "http://user:secret@bids.example.com/bid", // credentials in the URL
];

type Problem = { code: string; errors: { path: string; message: string }[] };

describe("egress guard at save time", () => {
  it("refuses internal RTB URLs on create and on PATCH; the campaign keeps its URL", async () => {
    const buyer = await createBuyer();
    const good = "http://127.0.0.1:9/bid"; // loopback: allowed on the local stack, never pinged here
    const campaign = await createBuyerCampaign(buyer, { rtb: { url: good, timeoutMs: 200 } });
    for (const url of REFUSED) {
      const created = await call<Problem>("POST", `/v1/buyers/${buyer}/campaigns`, {
        body: {
          name: "ssrf",
          vertical: "e2e_ssrf",
          bidMicros: 1_000_000,
          minDurationSec: 60,
          destination: { number: "+13059870000" },
          rtb: { url, timeoutMs: 200 },
        },
      });
      expect(created.status, url).toBe(400);
      expect(created.body.code, url).toBe("destination_not_allowed");
      expect(
        created.body.errors.map((e) => e.path),
        url,
      ).toEqual(["rtb.url"]);
      const patched = await call<Problem>("PATCH", `/v1/buyers/${buyer}/campaigns/${campaign}`, {
        body: { rtb: { url, timeoutMs: 200 } },
      });
      expect(patched.status, url).toBe(400);
      expect(patched.body.code, url).toBe("destination_not_allowed");
    }
    const list = await call<{ items: { id: string; rtb?: { url: string } }[] }>(
      "GET",
      `/v1/buyers/${buyer}/campaigns`,
    );
    expect(list.body.items.map((c) => c.rtb?.url)).toEqual([good]);
  });

  it("refuses internal webhook URLs on create and on PATCH; the endpoint keeps its URL", async () => {
    const buyer = await createBuyer();
    const key = await buyerKey(buyer);
    const good = "http://127.0.0.1:9/hook";
    const hook = await call<{ id: string }>("POST", "/v1/webhooks", {
      key,
      body: { url: good, eventTypes: ["call.billable"] },
    });
    expect(hook.status).toBe(201);
    for (const url of REFUSED) {
      const created = await call<Problem>("POST", "/v1/webhooks", {
        key,
        body: { url, eventTypes: ["call.billable"] },
      });
      expect(created.status, url).toBe(400);
      expect(created.body.code, url).toBe("destination_not_allowed");
      expect(
        created.body.errors.map((e) => e.path),
        url,
      ).toEqual(["url"]);
      const patched = await call<Problem>("PATCH", `/v1/webhooks/${hook.body.id}`, { key, body: { url } });
      expect(patched.status, url).toBe(400);
      expect(patched.body.code, url).toBe("destination_not_allowed");
    }
    const list = await call<{ items: { url: string }[] }>("GET", "/v1/webhooks", { key });
    expect(list.body.items.map((w) => w.url)).toEqual([good]);
  });
});
