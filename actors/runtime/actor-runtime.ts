// What the actor host injects into every actor instance: its identity and the process's dependencies
// (config, logger, redis, clock, sidecar client, document store, event publisher, reminders). No global.
import type { DaprClient } from "@dapr/dapr";
import type { Config } from "../platform/config.ts";
import type { Logger } from "../platform/logger.ts";
import type { Redis } from "../platform/redis.ts";
import type { DocumentStore } from "./document-store.ts";
import type { ActorReminders, EventPublisher } from "./outbox.ts";

export interface ActorDeps {
  config: Config;
  redis: Redis;
  logger: Logger;
  now: () => number;
  /** The sidecar client, for actorProxy and publishing. */
  client: DaprClient;
  store: DocumentStore;
  publish: EventPublisher;
  /** The reminders of one actor instance. */
  reminders: (actorType: string, id: string) => ActorReminders;
}

export interface ActorContext {
  type: string;
  id: string;
  deps: ActorDeps;
}

/** The base of every hosted actor: identity and dependencies, handed in by the host's dispatcher. */
export abstract class HostedActor {
  private readonly idOf: { getId(): string };

  constructor(private readonly ctx: ActorContext) {
    this.idOf = { getId: () => ctx.id };
  }

  getActorId(): { getId(): string } {
    return this.idOf;
  }

  getActorType(): string {
    return this.ctx.type;
  }

  getDaprClient(): DaprClient {
    return this.ctx.deps.client;
  }

  protected deps(): ActorDeps {
    return this.ctx.deps;
  }

  /** A reminder fired (Dapr: PUT …/method/remind/<name>). */
  async receiveReminder(_name: string, _data: unknown): Promise<void> {}

  /** Runs after a turn has answered, outside the turn (the outbox publishes here). */
  async afterTurn(): Promise<void> {}

  /** Dapr deactivated this instance (idle, or moved to another host). */
  async onDeactivate(): Promise<void> {}
}

/** An actor class the host can construct; its name is the actor type on the wire. */
export type ActorClass = (new (ctx: ActorContext) => HostedActor) & { name: string };
