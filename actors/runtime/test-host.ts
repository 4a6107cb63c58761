// In-process seams for tests of actors: the memory document store, a recording event publisher and
// recorded reminders. Real implementations of the runtime's seams, not stand-ins for daprd's behaviour.
import type { DaprClient } from "@dapr/dapr";
import type { DomainEvent } from "../kernel/events.ts";
import type { Config } from "../platform/config.ts";
import { createLogger } from "../platform/logger.ts";
import type { Redis } from "../platform/redis.ts";
import type { ActorDeps } from "./actor-runtime.ts";
import { type DocumentStore, MemoryDocumentStore } from "./document-store.ts";
import type { EventPublisher } from "./outbox.ts";

export interface TestSeams {
  deps: ActorDeps;
  published: DomainEvent[];
  reminders: { actor: string; id: string; name: string; dueMs: number; data?: unknown }[];
}

export function testDeps(
  over: { store?: DocumentStore; publish?: EventPublisher; redis?: Redis; appId?: string } = {},
): TestSeams {
  const published: DomainEvent[] = [];
  const reminders: TestSeams["reminders"] = [];
  const deps: ActorDeps = {
    config: { appId: over.appId ?? "test-app", disputeWindowDays: 30 } as Config,
    redis: over.redis as Redis,
    logger: createLogger("test", "silent"),
    now: () => Date.now(),
    client: undefined as unknown as DaprClient,
    store: over.store ?? new MemoryDocumentStore(),
    publish:
      over.publish ??
      (async (events) => {
        published.push(...events);
        return new Set();
      }),
    reminders: (actor, id) => ({
      remind: async (name, dueMs, data) => void reminders.push({ actor, id, name, dueMs, data }),
      forget: async () => undefined,
    }),
  };
  return { deps, published, reminders };
}

/** Resolves after the dispatcher's after-turn work (scheduled with setImmediate) has run. */
export async function afterTurns(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}
