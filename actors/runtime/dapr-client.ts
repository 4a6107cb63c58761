// Talking to the local sidecar: one DaprClient per process and cached actor proxy builders.
import { ActorId, ActorProxyBuilder, CommunicationProtocolEnum, DaprClient } from "@dapr/dapr";
import type { DomainEvent } from "../kernel/events.ts";

export function createDaprClient(daprHost: string, daprPort: string): DaprClient {
  return new DaprClient({
    daprHost,
    daprPort,
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    isKeepAlive: true,
  });
}

// The proxy only needs the class name (the actor type on the wire); callers use these name-only
// classes so the API process does not load actor implementations.
const typeClasses = new Map<string, abstract new (...args: never[]) => unknown>();
function typeClass(name: string) {
  let cls = typeClasses.get(name);
  if (!cls) {
    cls = { [name]: class {} }[name]!;
    typeClasses.set(name, cls);
  }
  return cls;
}

const builders = new WeakMap<DaprClient, Map<string, ActorProxyBuilder<unknown>>>();

export function actorProxy<T>(client: DaprClient, actorType: string, id: string): T {
  let perClient = builders.get(client);
  if (!perClient) {
    perClient = new Map();
    builders.set(client, perClient);
  }
  let builder = perClient.get(actorType);
  if (!builder) {
    builder = new ActorProxyBuilder<unknown>(typeClass(actorType) as never, client);
    perClient.set(actorType, builder);
  }
  return builder.build(new ActorId(id)) as T;
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
