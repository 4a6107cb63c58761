import { DaprPubSubStatusEnum as S } from "@dapr/dapr";
import { describe, expect, it } from "vitest";
import { eventsServer, payloadOf } from "./server.ts";

const sub = { pubsubName: "pubsub", topic: "domain-events", maxMessagesCount: 100, maxAwaitDurationMs: 20 };
const TOKEN = "app-token-for-the-events-server-tests";
const auth = { "dapr-api-token": TOKEN };
const post = (app: ReturnType<typeof eventsServer>, body: unknown, headers: Record<string, string> = auth) =>
  app.request("/events", {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
  });

describe("events server", () => {
  it("subscribes in bulk to the topic", async () => {
    const app = eventsServer(sub, async () => [], TOKEN);
    expect(await (await app.request("/dapr/subscribe", { headers: auth })).json()).toEqual([
      {
        pubsubname: "pubsub",
        topic: "domain-events",
        routes: { default: "/events" },
        bulkSubscribe: { enabled: true, maxMessagesCount: 100, maxAwaitDurationMs: 20 },
      },
    ]);
  });

  it("hands a batch to the writer in order and answers each entry's status by its id", async () => {
    const seen: unknown[][] = [];
    const app = eventsServer(
      sub,
      async (payloads) => {
        seen.push(payloads);
        return [S.SUCCESS, S.RETRY, S.DROP];
      },
      TOKEN,
    );
    const res = await post(app, {
      entries: [
        { entryId: "a", contentType: "application/cloudevents+json", event: { data: { id: "e1" } } },
        { entryId: "b", contentType: "application/json", event: { id: "e2" } },
        {
          entryId: "c",
          contentType: "application/octet-stream",
          event: Buffer.from('{"id":"e3"}').toString("base64"),
        },
      ],
    });
    expect(seen).toEqual([[{ id: "e1" }, { id: "e2" }, { id: "e3" }]]);
    expect(await res.json()).toEqual({
      statuses: [
        { entryId: "a", status: S.SUCCESS },
        { entryId: "b", status: S.RETRY },
        { entryId: "c", status: S.DROP },
      ],
    });
  });

  it("answers RETRY for every entry when the writer fails, never an acknowledgement", async () => {
    const app = eventsServer(
      sub,
      async () => {
        throw new Error("postgres is away");
      },
      TOKEN,
    );
    const res = await post(app, {
      entries: [
        { entryId: "a", event: {} },
        { entryId: "b", event: {} },
      ],
    });
    expect(await res.json()).toEqual({
      statuses: [
        { entryId: "a", status: S.RETRY },
        { entryId: "b", status: S.RETRY },
      ],
    });
  });

  it("takes a single CloudEvent too, and hands a body that is not JSON to the writer as its text", async () => {
    const seen: unknown[] = [];
    const app = eventsServer(
      sub,
      async (p) => {
        seen.push(...p);
        return [S.SUCCESS];
      },
      TOKEN,
    );
    expect(await (await post(app, { data: { id: "e1" } })).json()).toEqual({ status: S.SUCCESS });
    const garbage = await app.request("/events", { method: "POST", body: "{nope", headers: auth });
    expect(await garbage.json()).toEqual({ status: S.SUCCESS });
    expect(seen).toEqual([{ id: "e1" }, "{nope"]); // the writer dead-letters it: nothing is dropped
  });

  it("answers RETRY for a body that is not JSON when the writer cannot keep it", async () => {
    const app = eventsServer(sub, async () => Promise.reject(new Error("postgres is away")), TOKEN);
    const garbage = await app.request("/events", { method: "POST", body: "{nope", headers: auth });
    expect(await garbage.json()).toEqual({ status: S.RETRY });
  });

  it("reads an undecodable octet-stream entry as the text received (the writer dead-letters it)", () => {
    expect(payloadOf({ contentType: "application/octet-stream", event: "!!!" })).toBe("!!!");
  });

  it("refuses every callback without the app token, and with a wrong one, before reading it", async () => {
    let recorded = 0;
    const app = eventsServer(
      sub,
      async (p) => {
        recorded += p.length;
        return p.map(() => S.SUCCESS);
      },
      TOKEN,
    );
    const entries = { entries: [{ entryId: "a", event: { id: "e1" } }] };
    const refused: Record<string, string>[] = [
      {},
      { "dapr-api-token": "wrong" },
      { "dapr-api-token": `${TOKEN}x` },
    ];
    for (const headers of refused) {
      const res = await post(app, entries, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(((await res.json()) as { code: string }).code).toBe("unauthorized");
      for (const path of ["/dapr/subscribe", "/dapr/config"])
        expect((await app.request(path, { headers })).status).toBe(401);
    }
    expect(recorded).toBe(0);
    expect((await post(app, entries)).status).toBe(200);
    expect(recorded).toBe(1);
  });

  it("answers daprd's health probe, which carries no token", async () => {
    const app = eventsServer(sub, async () => [], TOKEN);
    const res = await app.request("/healthz");
    expect(res.status).toBe(200);
    expect((await app.request("/healthz", { method: "POST" })).status).toBe(401);
  });
});
