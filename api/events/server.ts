// The events app's HTTP face for its daprd: the subscription (bulk, so events arrive in batches and
// are recorded in one transaction each) and the route daprd delivers to. Written without the SDK's
// server, whose bulk handler calls back one event at a time. Only daprd (holding the app token) gets in.
import { DaprPubSubStatusEnum } from "@dapr/dapr";
import { Hono } from "hono";
import { APP_TOKEN_HEADER, appTokenRefusal, callbackAllowed } from "../../actors/platform/app-token.ts";

export interface Subscription {
  pubsubName: string;
  topic: string;
  /** The most events daprd hands over at once, and how long it may wait to fill a batch. */
  maxMessagesCount: number;
  maxAwaitDurationMs: number;
}

type Record = (payloads: unknown[]) => Promise<DaprPubSubStatusEnum[]>;

interface BulkEntry {
  entryId: string;
  event: unknown;
  contentType?: string;
}

/**
 * The event inside a delivered entry: a CloudEvent's `data`, raw JSON, or base64 JSON bytes. Bytes
 * that are not JSON come back as received (the writer dead-letters them; nothing is dropped here).
 */
export function payloadOf(entry: { event: unknown; contentType?: string }): unknown {
  const { event, contentType = "" } = entry;
  if (contentType.includes("cloudevents")) return (event as { data?: unknown } | null)?.data;
  if (contentType === "application/octet-stream" && typeof event === "string") {
    try {
      return JSON.parse(Buffer.from(event, "base64").toString("utf8"));
    } catch {
      return event;
    }
  }
  return event;
}

/** `appToken`: what daprd sends on every callback (APP_API_TOKEN); anything else but the health probe is refused. */
export function eventsServer(sub: Subscription, record: Record, appToken: string) {
  const app = new Hono();
  app.use(async (c, next) => {
    if (callbackAllowed(c.req.method, c.req.path, c.req.header(APP_TOKEN_HEADER), appToken)) return next();
    return c.body(appTokenRefusal(c.req.path), 401, { "content-type": "application/problem+json" });
  });
  app.get("/healthz", (c) => c.text("ok"));
  app.get("/dapr/config", (c) => c.json({}));
  app.get("/dapr/subscribe", (c) =>
    c.json([
      {
        pubsubname: sub.pubsubName,
        topic: sub.topic,
        routes: { default: "/events" },
        bulkSubscribe: {
          enabled: true,
          maxMessagesCount: sub.maxMessagesCount,
          maxAwaitDurationMs: sub.maxAwaitDurationMs,
        },
      },
    ]),
  );
  app.post("/events", async (c) => {
    let body: { entries?: BulkEntry[] } & { data?: unknown };
    const text = await c.req.text();
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON at all: it can never be recorded, so its text goes to the dead letters (or RETRY).
      const [status] = await record([text]).catch(() => [DaprPubSubStatusEnum.RETRY]);
      return c.json({ status });
    }
    if (!body || typeof body !== "object") {
      const [status] = await record([body]).catch(() => [DaprPubSubStatusEnum.RETRY]);
      return c.json({ status });
    }
    if (Array.isArray(body.entries)) {
      const entries = body.entries;
      // Whatever goes wrong answers RETRY for the lot: never an acknowledgement for unrecorded events.
      const statuses = await record(entries.map(payloadOf)).catch(() =>
        entries.map(() => DaprPubSubStatusEnum.RETRY),
      );
      return c.json({ statuses: entries.map((e, i) => ({ entryId: e.entryId, status: statuses[i] })) });
    }
    // A single CloudEvent (daprd delivers one at a time when bulk delivery is off).
    const [status] = await record([body.data]).catch(() => [DaprPubSubStatusEnum.RETRY]);
    return c.json({ status });
  });
  return app;
}
