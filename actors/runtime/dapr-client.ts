// Talking to the local sidecar: the DaprClient, actor proxies and event publishing.
import { CommunicationProtocolEnum, DaprClient } from "@dapr/dapr";
import type { DomainEvent } from "../kernel/events.ts";

export function createDaprClient(daprHost: string, daprPort: string): DaprClient {
  return new DaprClient({
    daprHost,
    daprPort,
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    isKeepAlive: true,
  });
}

/**
 * A typed proxy for one actor: each method call is `POST /v1.0/actors/<type>/<id>/method/<name>` on
 * the local sidecar with the arguments as a JSON array (what the SDK's ActorProxyBuilder sends, and
 * what its actor host spreads back into parameters). Sent with Node's own fetch (keep-alive): the
 * SDK's proxy goes through node-fetch and costs noticeably more CPU per call on the hot path.
 * A non-2xx answer (an actor method that threw, a sidecar that could not place the actor) throws.
 * Each call is bounded here, not by a resiliency timeout on the actor target (see
 * sidecar-components/resiliency.yaml: that policy breaks larger answers in Dapr 1.18); aborting the
 * request makes daprd cancel the call and release the actor's turn.
 */
export const ACTOR_CALL_TIMEOUT_MS = 10_000;

export function actorProxy<T>(client: DaprClient, actorType: string, id: string): T {
  const base = `http://${client.options.daprHost}:${client.options.daprPort}/v1.0/actors/${actorType}/${encodeURIComponent(id)}/method/`;
  return new Proxy(
    {},
    {
      get(_target, method) {
        if (typeof method !== "string" || method === "then") return undefined; // not a thenable
        return async (...args: unknown[]) => {
          const res = await fetch(base + method, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(args),
            signal: AbortSignal.timeout(ACTOR_CALL_TIMEOUT_MS),
          });
          const text = await res.text();
          if (!res.ok) throw new Error(`${actorType}.${method} failed: ${res.status} ${text.slice(0, 300)}`);
          return text === "" ? undefined : JSON.parse(text);
        };
      },
    },
  ) as T;
}

/**
 * Publishes events through the sidecar and returns the ids that failed: one event through the plain
 * publish API, several in one bulk-publish request. The bulk request is sent directly, not through
 * the SDK, whose HTTP client names the entry id `entryID` where daprd reads `entryId` (every bulk
 * publish then fails with ERR_PUBSUB_EVENTS_SER). The SDK reports a failed plain publish as a value
 * (`{error}`), not a throw.
 */
export async function publishEvents(
  client: DaprClient,
  pubsub: string,
  topic: string,
  events: DomainEvent[],
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  if (events.length === 1) {
    const res = await client.pubsub.publish(pubsub, topic, events[0] as unknown as object);
    return res?.error ? new Set([events[0]!.id]) : new Set();
  }
  const { daprHost, daprPort } = client.options;
  const url = `http://${daprHost}:${daprPort}/v1.0-alpha1/publish/bulk/${pubsub}/${topic}`;
  const body = JSON.stringify(
    events.map((e) => ({ entryId: e.id, event: e, contentType: "application/json" })),
  );
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  if (res.ok) {
    await res.arrayBuffer();
    return new Set();
  }
  const answer = (await res.json().catch(() => ({}))) as { failedEntries?: { entryId: string }[] };
  return new Set(answer.failedEntries?.map((f) => f.entryId) ?? events.map((e) => e.id));
}
