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

/** Publishes through the sidecar; the SDK returns `{error}` instead of throwing, so we throw. */
export async function publishEvent(
  client: DaprClient,
  pubsub: string,
  topic: string,
  event: DomainEvent,
): Promise<void> {
  const res = await client.pubsub.publish(pubsub, topic, event as unknown as object);
  if (res?.error) throw new Error(`publish ${event.type} ${event.id} failed: ${String(res.error)}`);
}
