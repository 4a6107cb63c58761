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
 * Publishes several events in one request to the sidecar (bulk publish) and returns the ids that
 * failed; one event goes through the plain publish API. The SDK reports failures as values (`{error}`,
 * `failedMessages`) rather than throwing, so both are read here.
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
  const entries = events.map((e) => ({
    entryID: e.id,
    event: e as unknown as object,
    contentType: "application/json",
  }));
  const res = await client.pubsub.publishBulk(pubsub, topic, entries);
  return new Set(res.failedMessages.map((f) => f.message.entryID));
}
