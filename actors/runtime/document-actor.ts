// Base for every exchange actor: one state document under one key, written once per command,
// with a transactional outbox so events are announced at least once and never for unsaved state.
import { AbstractActor, Temporal } from "@dapr/dapr";
import type { DomainEvent } from "../kernel/events.ts";
import { actorDeps } from "./actor-runtime.ts";
import { publishEvents } from "./dapr-client.ts";

const DOC_KEY = "doc";

interface Stored<S> {
  state: S;
  outbox: DomainEvent[];
}

export abstract class DocumentActor<S> extends AbstractActor {
  // Ids this activation has published; leftovers in the stored outbox with these ids are not sent twice.
  private readonly published = new Set<string>();
  private cached: Stored<S> | undefined;

  protected async load(): Promise<S | undefined> {
    if (!this.cached) {
      const [found, value] = await this.getStateManager<Stored<S>>().tryGetState(DOC_KEY);
      this.cached = found && value ? value : undefined;
    }
    return this.cached?.state;
  }

  /** Writes the new document and its events in one state write, then publishes the events. */
  protected async commit(state: S, events: DomainEvent[]): Promise<void> {
    const leftovers = (this.cached?.outbox ?? []).filter((e) => !this.published.has(e.id));
    const doc: Stored<S> = { state, outbox: [...leftovers, ...events] };
    const sm = this.getStateManager<Stored<S>>();
    try {
      await sm.setState(DOC_KEY, doc);
      await sm.saveState();
    } catch (err) {
      // The SDK would flush this pending write after the next successful call: drop it.
      await sm.clearCache();
      throw err;
    }
    this.cached = doc;
    this.published.clear();
    await this.flushOutbox();
  }

  /** Publishes what the stored outbox holds; failures stay there for the next command or timer. */
  protected async flushOutbox(): Promise<void> {
    const { config, logger } = actorDeps();
    const pending = (this.cached?.outbox ?? []).filter((e) => !this.published.has(e.id));
    if (pending.length === 0) return;
    let failed: Set<string>;
    try {
      failed = await publishEvents(this.getDaprClient(), config.pubsubName, config.eventsTopic, pending);
    } catch (err) {
      logger.warn({ err, events: pending.length }, "event.publish_failed");
      failed = new Set(pending.map((e) => e.id));
    }
    for (const e of pending) if (!failed.has(e.id)) this.published.add(e.id);
    if (failed.size > 0) {
      logger.warn({ failed: failed.size, actor: this.getActorType() }, "event.publish_deferred");
      await this.registerActorTimer("outbox", "retryOutbox", Temporal.Duration.from({ seconds: 5 }));
    }
  }

  /** Timer callback: another try at publishing what a failed publish left in the outbox. */
  async retryOutbox(): Promise<void> {
    await this.flushOutbox();
  }

  override async onActivate(): Promise<void> {
    this.cached = undefined;
    this.published.clear();
  }
}
