// One actor instance's outbox: events saved with the document are published after the turn has
// answered; what fails is retried by an outbox reminder (it lives in the scheduler, so it survives this
// host's sidecar dying). Events stay in the stored document until a publish of them succeeded.
import { type DomainEvent, uniqueById } from "../kernel/events.ts";
import type { Logger } from "../platform/logger.ts";

/** Publishes events and answers the ids that failed. */
export type EventPublisher = (events: DomainEvent[]) => Promise<Set<string>>;

/** The reminders of one actor (Dapr's scheduler through the sidecar, or an in-memory one in tests). */
export interface ActorReminders {
  remind(name: string, dueMs: number, data?: unknown): Promise<void>;
  forget(name: string): Promise<void>;
}

export const OUTBOX_REMINDER = "outbox";
const RETRY_MS = 5_000;

export class Outbox {
  /** Ids published by this instance; saved events with these ids are not sent again nor saved again. */
  private readonly published = new Set<string>();
  /** Ids being published right now: kept in the next document until confirmed, not sent twice. */
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly publish: EventPublisher,
    private readonly reminders: () => ActorReminders,
    private readonly logger: Logger,
    private readonly who: { actor: string; id: string },
  ) {}

  /** Of the events in the stored outbox, those the next document must keep: not known published. */
  unconfirmed(saved: DomainEvent[]): DomainEvent[] {
    return saved.filter((e) => !this.published.has(e.id));
  }

  /** After a write: what this instance knows it published matters only for ids still stored. */
  written(saved: DomainEvent[]): void {
    const ids = new Set(saved.map((e) => e.id));
    for (const id of this.published) if (!ids.has(id)) this.published.delete(id);
  }

  /** The document was changed elsewhere: what this instance published says nothing about it. */
  reset(): void {
    this.published.clear();
  }

  /** Saved events neither published nor being published. */
  pending(saved: DomainEvent[]): DomainEvent[] {
    return uniqueById(saved).filter((e) => !this.published.has(e.id) && !this.inFlight.has(e.id));
  }

  /**
   * Publishes the pending events of `saved`. Failures are left in the store and an outbox reminder
   * retries them; should even the reminder fail, a local timer tries again (the events are saved, so
   * the next load of this actor publishes them too). Never throws.
   */
  async flush(saved: DomainEvent[]): Promise<void> {
    const pending = this.pending(saved);
    if (pending.length === 0) return;
    for (const e of pending) this.inFlight.add(e.id);
    let failed: Set<string>;
    try {
      failed = await this.publish(pending);
    } catch (err) {
      this.logger.warn({ err, events: pending.length, ...this.who }, "event.publish_failed");
      failed = new Set(pending.map((e) => e.id));
    } finally {
      for (const e of pending) this.inFlight.delete(e.id);
    }
    for (const e of pending) if (!failed.has(e.id)) this.published.add(e.id);
    if (failed.size === 0) return;
    this.logger.warn({ failed: failed.size, ...this.who }, "event.publish_deferred");
    try {
      await this.reminders().remind(OUTBOX_REMINDER, RETRY_MS, { kind: OUTBOX_REMINDER });
    } catch (err) {
      this.logger.error({ err, ...this.who }, "event.retry_not_scheduled");
      setTimeout(() => void this.flush(saved), RETRY_MS).unref();
    }
  }
}
