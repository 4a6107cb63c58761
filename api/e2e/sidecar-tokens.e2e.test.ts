// Dapr API tokens through the real stack: every daprd refuses requests without its API token, every
// app refuses Dapr callbacks without the app token (the health probe excepted), and a buyer's RTB URL
// pointing at a sidecar's shutdown endpoint cannot take that sidecar down.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRunFile } from "../../scripts/stack/plan.ts";
import { call, createBuyer, createBuyerCampaign, createSeller, offerCall, uniq } from "./client.ts";
import { ROOT, STATE_DIR, sidecarHeaders, stackSecret } from "./stack.ts";

const apps = readRunFile(join(ROOT, "dapr.yaml"));
const sidecars = apps.map((a) => ({ name: `${a.instance}-daprd`, port: a.daprHTTPPort }));
const callbackApps = apps.flatMap((a) => (a.appPort ? [{ name: a.instance, port: a.appPort }] : []));

const send = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, signal: AbortSignal.timeout(5_000) }).then(async (r) => ({
    status: r.status,
    text: await r.text(),
  }));

describe("the sidecars' API token", () => {
  it.each(sidecars)("$name refuses a request without the token or with a wrong one", async ({ port }) => {
    const metadata = `http://127.0.0.1:${port}/v1.0/metadata`;
    const none = await send(metadata);
    expect(none.status).toBe(401);
    expect(none.text).toContain("invalid api token");
    expect((await send(metadata, { headers: { "dapr-api-token": "not-the-token" } })).status).toBe(401);
    // The shutdown endpoint itself, asked directly: refused, and the sidecar stays up.
    expect((await send(`http://127.0.0.1:${port}/v1.0/shutdown`, { method: "POST" })).status).toBe(401);
    expect((await send(metadata, { headers: sidecarHeaders() })).status).toBe(200);
  });

  it.each(sidecars)(
    "$name answers its health endpoint without a token (daprd exempts it)",
    async ({ port }) => {
      expect((await send(`http://127.0.0.1:${port}/v1.0/healthz`)).status).toBe(204);
    },
  );

  it("calls actors through a sidecar only with the token", async () => {
    const ping = (headers: Record<string, string>) =>
      send(`http://127.0.0.1:${sidecars[0]!.port}/v1.0/actors/BenchActor/token-${uniq()}/method/ping`, {
        method: "POST",
        headers,
      });
    expect((await ping({})).status).toBe(401);
    expect((await ping(sidecarHeaders())).status).toBe(200);
  });
});

describe("the apps' app token", () => {
  const appToken = () => ({ "dapr-api-token": stackSecret("APP_API_TOKEN") });
  const wrong = { "dapr-api-token": "not-the-app-token" };

  it.each(callbackApps)("$name refuses Dapr callbacks without the app token", async ({ name, port }) => {
    const base = `http://127.0.0.1:${port}`;
    const json = { "content-type": "application/json" };
    const callbacks: [string, string, string?][] = [
      ["GET", "/dapr/config"],
      ["GET", "/dapr/subscribe"],
      ["PUT", `/actors/BenchActor/intruder-${uniq()}/method/ping`, "[]"],
      ["PUT", `/actors/CallActor/intruder-${uniq()}/method/remind/routing-expiry`, "{}"],
      ["DELETE", `/actors/BuyerActor/intruder-${uniq()}`],
      ["POST", "/events", JSON.stringify({ entries: [{ entryId: "x", event: { id: "forged" } }] })],
    ];
    for (const headers of [{}, wrong]) {
      for (const [method, path, body] of callbacks) {
        const res = await send(base + path, { method, body, headers: { ...json, ...headers } });
        expect(res.status, `${name} ${method} ${path}`).toBe(401);
        expect(JSON.parse(res.text)).toMatchObject({ code: "unauthorized" });
      }
    }
    // daprd's own requests carry the token and are served.
    expect((await send(`${base}/dapr/config`, { headers: appToken() })).status).toBe(200);
  });

  it.each(callbackApps)("$name answers daprd's health probe, which carries no token", async ({ port }) => {
    const res = await send(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
  });
});

/** Bytes of each daprd's log so far: what a test adds after this point is read with `since`. */
function logMarks(): Map<string, number> {
  return new Map(sidecars.map((s) => [s.name, statSync(join(STATE_DIR, "logs", `${s.name}.log`)).size]));
}
function logSince(name: string, marks: Map<string, number>): string {
  return readFileSync(join(STATE_DIR, "logs", `${name}.log`))
    .subarray(marks.get(name))
    .toString("utf8");
}
const stackPids = () =>
  (JSON.parse(readFileSync(join(STATE_DIR, "stack.json"), "utf8")) as { processes: Record<string, number> })
    .processes;

describe("the issue's attack: an RTB URL at a sidecar's shutdown endpoint", () => {
  it("leaves every sidecar up: the ping reaches daprd and is refused for want of the token", async () => {
    const vertical = `v_${uniq().slice(0, 8)}`;
    const pidsBefore = stackPids();
    const marks = logMarks();
    // One buyer per sidecar, each campaign's RTB URL that sidecar's shutdown endpoint.
    const attackers = new Map<string, string>();
    for (const { name, port } of sidecars) {
      const buyer = await createBuyer();
      const campaignId = await createBuyerCampaign(buyer, {
        vertical,
        bidMicros: 1_000_000,
        rtb: { url: `http://127.0.0.1:${port}/v1.0/shutdown`, timeoutMs: 200 },
      });
      attackers.set(campaignId, name);
    }
    const honest = await createBuyer();
    const honestCampaign = await createBuyerCampaign(honest, { vertical, bidMicros: 20_000_000 });
    const seller = await createSeller({ vertical, reserveMicros: 5_000_000, maxAuctionMs: 500 });

    const offer = await offerCall<{ callId: string; status: string; buyerCampaignId?: string }>(seller, {
      callerZip: "33101",
    });
    expect(offer.status).toBe(201);
    expect(offer.body).toMatchObject({ status: "routed", buyerCampaignId: honestCampaign });

    // Every attacking campaign was pinged and dropped: daprd answers 401 (rtb_error); on a loaded
    // machine the 200 ms may run out first (rtb_timeout), after the request was sent all the same.
    const details = await call<{ auction: { losers: { campaignId: string; reason: string }[] } }>(
      "GET",
      `/v1/calls/${offer.body.callId}`,
    );
    for (const campaignId of attackers.keys()) {
      const loser = details.body.auction.losers.find((l) => l.campaignId === campaignId);
      expect(["rtb_error", "rtb_timeout"], attackers.get(campaignId)).toContain(loser?.reason);
    }

    // A shutdown takes effect at once: give daprd a moment, then every sidecar must still be the
    // same process, healthy, and its log must hold no shutdown request.
    await new Promise((r) => setTimeout(r, 2_000));
    for (const { name, port } of sidecars) {
      expect(logSince(name, marks), name).not.toContain("Shutdown requested");
      expect((await send(`http://127.0.0.1:${port}/v1.0/healthz`)).status, name).toBe(204);
      expect(stackPids()[name], `${name} was not restarted`).toBe(pidsBefore[name]);
    }
  });
});
