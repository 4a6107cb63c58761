import { DaprPubSubStatusEnum as S } from "@dapr/dapr";
import { describe, expect, it } from "vitest";
import { eventsServer, payloadOf } from "./server.ts";

const sub = { pubsubName: "pubsub", topic: "domain-events", maxMessagesCount: 100, maxAwaitDurationMs: 20 };
const post = (app: ReturnType<typeof eventsServer>, body: unknown) =>
  app.request("/events", {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });

describe("events server", () => {
  it("subscribes in bulk to the topic", async () => {
    const app = eventsServer(sub, async () => []);
    expect(await (await app.request("/dapr/subscribe")).json()).toEqual([
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
    const app = eventsServer(sub, async (payloads) => {
      seen.push(payloads);
      return [S.SUCCESS, S.RETRY, S.DROP];
    });
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
    const app = eventsServer(sub, async () => {
      throw new Error("postgres is away");
    });
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

  it("takes a single CloudEvent too, and drops a body that is not JSON", async () => {
    const app = eventsServer(sub, async (p) => (p[0] ? [S.SUCCESS] : [S.DROP]));
    expect(await (await post(app, { data: { id: "e1" } })).json()).toEqual({ status: S.SUCCESS });
    const garbage = await app.request("/events", { method: "POST", body: "{nope" });
    expect(await garbage.json()).toEqual({ status: S.DROP });
  });

  it("reads an undecodable octet-stream entry as nothing (the writer drops it)", () => {
    expect(payloadOf({ contentType: "application/octet-stream", event: "!!!" })).toBeUndefined();
  });
});
