// The actor host speaks Dapr's actor callback protocol on loopback, behind the app token.
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../platform/logger.ts";
import { createActorHost } from "./actor-host.ts";
import { HostedActor } from "./actor-runtime.ts";
import { Dispatcher } from "./dispatcher.ts";
import { testDeps } from "./test-host.ts";

const seen: string[] = [];

class CallActor extends HostedActor {
  async offer(a: { x: number }, b: string): Promise<{ sum: string }> {
    return { sum: `${a.x}${b}` };
  }
  async fail(): Promise<void> {
    throw new Error("refused");
  }
  async tick(data: unknown): Promise<void> {
    seen.push(`timer ${JSON.stringify(data)}`);
  }
  override async receiveReminder(name: string, data: unknown): Promise<void> {
    seen.push(`remind ${name} ${JSON.stringify(data)}`);
  }
  override async onDeactivate(): Promise<void> {
    seen.push(`deactivated ${this.getActorId().getId()}`);
  }
}
class BuyerActor extends HostedActor {}

const TOKEN = "app-token-for-test";
const dispatcher = new Dispatcher([CallActor, BuyerActor], testDeps().deps);
const server = createActorHost({
  dispatcher,
  appToken: TOKEN,
  logger: createLogger("test", "silent"),
  settings: {
    actorIdleTimeout: "1h",
    idleTimeouts: { CallActor: "5m", BuyerActor: "1h", Unknown: "1m" },
    drainOngoingCallTimeout: "8s",
    drainRebalancedActors: true,
  },
});
let base = "";

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const call = (method: string, path: string, body?: unknown, token: string | null = TOKEN) =>
  fetch(base + path, {
    method,
    headers: token === null ? {} : { "dapr-api-token": token },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("actor host", () => {
  it("answers daprd's config: types, per-type idle timeouts, draining, no reentrancy", async () => {
    const res = await call("GET", "/dapr/config");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      entities: ["CallActor", "BuyerActor"],
      actorIdleTimeout: "1h",
      drainOngoingCallTimeout: "8s",
      drainRebalancedActors: true,
      reentrancy: { enabled: false },
      entitiesConfig: [
        { entities: ["CallActor"], actorIdleTimeout: "5m" },
        { entities: ["BuyerActor"], actorIdleTimeout: "1h" },
      ],
    });
  });

  it("refuses every route without the app token except the health probe", async () => {
    expect((await call("GET", "/healthz", undefined, null)).status).toBe(200);
    for (const [m, p] of [
      ["GET", "/dapr/config"],
      ["PUT", "/actors/CallActor/c1/method/offer"],
      ["PUT", "/actors/CallActor/c1/method/remind/r"],
      ["PUT", "/actors/CallActor/c1/method/timer/t"],
      ["DELETE", "/actors/CallActor/c1"],
    ] as const) {
      for (const token of [null, "wrong"]) {
        const res = await call(m, p, m === "PUT" ? [] : undefined, token);
        expect(res.status, `${m} ${p} with ${token}`).toBe(401);
        expect(((await res.json()) as { code: string }).code).toBe("unauthorized");
      }
    }
  });

  it("calls a method with the JSON array of arguments and answers its result", async () => {
    const res = await call("PUT", "/actors/CallActor/c1/method/offer", [{ x: 4 }, "2"]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sum: "42" });
  });

  it("answers 500 for a method that throws and 404 for what is not hosted", async () => {
    const failed = await call("PUT", "/actors/CallActor/c1/method/fail", []);
    expect(failed.status).toBe(500);
    expect(((await failed.json()) as { error: string }).error).toBe("refused");
    expect((await call("PUT", "/actors/CallActor/c1/method/nope", [])).status).toBe(404);
    expect((await call("PUT", "/actors/Other/c1/method/offer", [])).status).toBe(404);
  });

  it("delivers reminders and timers, and deactivates on DELETE", async () => {
    seen.length = 0;
    const r = await call("PUT", "/actors/CallActor/c2/method/remind/expiry", {
      data: { kind: "x" },
      dueTime: "1s",
      period: "",
    });
    expect(r.status).toBe(200);
    const t = await call("PUT", "/actors/CallActor/c2/method/timer/t1", { callback: "tick", data: "[1]" });
    expect(t.status).toBe(200);
    expect((await call("DELETE", "/actors/CallActor/c2")).status).toBe(200);
    expect(seen).toEqual(['remind expiry {"kind":"x"}', "timer [1]", "deactivated c2"]);
  });
});
