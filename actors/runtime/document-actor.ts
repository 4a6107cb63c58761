// Base for every exchange actor: one state document under one key, written once per command,
// with a transactional outbox so events are announced at least once and never for unsaved state.
import { AsyncLocalStorage } from "node:async_hooks";
import { AbstractActor, type ActorId, type DaprClient } from "@dapr/dapr";
import { type DomainEvent, uniqueById } from "../kernel/events.ts";
import { crashPoint } from "../platform/crash-points.ts";
import { ActorSidecar, publishEvents } from "../platform/dapr-client.ts";
import { actorDeps } from "./actor-runtime.ts";

const DOC_KEY = "doc";
/** The actor instance whose turn the current async call chain is running in. */
const inTurn = new AsyncLocalStorage<object>();
const OUTBOX_REMINDER = "outbox";
const RETRY_REMINDER = "retry";

interface Stored<S> {
  state: S;
  outbox: DomainEvent[];
}

export abstract class DocumentActor<S> extends AbstractActor {
  // Ids this activation has published; leftovers in the stored outbox with these ids are not sent twice.
  private readonly published = new Set<string>();
  private cached: Stored<S> | undefined;
  /** The store's version of the document this instance last read or wrote. */
  private version: string | null = null;

  constructor(daprClient: DaprClient, id: ActorId) {
    super(daprClient, id);
    // The SDK gives each actor instance an HTTP client of its own, which before its first state call
    // asks the sidecar whether it is up (GET /v1.0/metadata) and logs "Sidecar Started": one extra
    // round trip and log line per activation, two per offer. The sidecar is up: it is invoking us.
    type Internals = { actorClient?: { actor?: { client?: { setIsInitialized?(v: boolean): void } } } };
    (this as unknown as Internals).actorClient?.actor?.client?.setIsInitialized?.(true);
    this.oneTurnAtATime();
  }

  private turn: Promise<unknown> = Promise.resolve();

  /**
   * Runs this instance's commands one after another. Turns are Dapr's to enforce, but when a call
   * times out daprd lets the next one in while the first may still be running here, and two commands
   * computed on the same document would overwrite each other (a buyer's reservation lost). Every
   * method the subclass declares (and reminders) is queued behind the one before it.
   */
  private oneTurnAtATime(): void {
    const self = this as unknown as Record<string, unknown>;
    const names = new Set<string>(["receiveReminder"]);
    for (
      let p = Object.getPrototypeOf(this);
      p && p !== DocumentActor.prototype;
      p = Object.getPrototypeOf(p)
    )
      for (const name of Object.getOwnPropertyNames(p))
        if (name !== "constructor" && typeof self[name] === "function") names.add(name);
    for (const name of names) {
      const method = self[name] as (...args: unknown[]) => Promise<unknown>;
      self[name] = (...args: unknown[]) => {
        // Inside this instance's own turn (a command calling its helpers): run straight away.
        if (inTurn.getStore() === this) return method.apply(this, args);
        const run = this.turn.then(() => inTurn.run(this, () => method.apply(this, args)));
        this.turn = run.catch(() => undefined);
        return run;
      };
    }
  }

  private sidecarApi: ActorSidecar | undefined;

  /** The sidecar's state and reminder API for this actor. */
  protected sidecar(): ActorSidecar {
    this.sidecarApi ??= new ActorSidecar(
      this.getDaprClient(),
      this.getActorType(),
      this.getActorId().getId(),
    );
    return this.sidecarApi;
  }

  /** Dapr's key for this actor's document in the Redis actor store: <app-id>||<type>||<id>||doc. */
  private storeKey(): string {
    return `${actorDeps().config.appId}||${this.getActorType()}||${this.getActorId().getId()}||${DOC_KEY}`;
  }

  protected async load(): Promise<S | undefined> {
    await this.watched("load", () => this.readDocument());
    // Events a previous command saved but could not publish (a sidecar died in between) go out before
    // anything else happens, so a retried or replayed command also completes its announcements.
    await this.flushOutbox();
    return this.cached?.state;
  }

  /**
   * Runs one phase of a command (load, commit, publish) under watch: still running after 2 s, it is
   * reported as stuck (it may never finish); finished after more than 1 s, as slow. Either means
   * something is queueing.
   */
  private async watched<T>(phase: string, run: () => Promise<T>): Promise<T> {
    const { logger } = actorDeps();
    const who = { actor: this.getActorType(), id: this.getActorId().getId(), phase };
    const started = performance.now();
    const watchdog = setTimeout(() => logger.warn(who, "actor.phase_stuck"), 2_000);
    try {
      return await run();
    } finally {
      clearTimeout(watchdog);
      const ms = performance.now() - started;
      if (ms > 1_000) logger.warn({ ...who, ms: Math.round(ms) }, "actor.slow_phase");
    }
  }

  /** The version of this actor's document in the store now (null when it has none). */
  private storedVersion(): Promise<string | null> {
    return actorDeps().redis.hget(this.storeKey(), "version");
  }

  /** Drops the cached document, and with it what this instance knows it has published. */
  private forgetDocument(): void {
    this.cached = undefined;
    this.published.clear();
  }

  private async readDocument(): Promise<void> {
    if (this.cached) {
      // An instance can outlive its turn as the actor's host: when its sidecar dies, nobody deactivates
      // it, the actor runs elsewhere meanwhile, and it may later come back here. A cached document whose
      // version is not the store's is stale: drop it and read again.
      const stored = await this.storedVersion();
      if (stored !== this.version) {
        actorDeps().logger.info(
          { actor: this.getActorType(), id: this.getActorId().getId(), cached: this.version, stored },
          "actor.cache_stale_reread",
        );
        this.forgetDocument();
      }
    }
    if (!this.cached) {
      // The document and its version in one read, straight from the hash daprd's Redis state store keeps
      // (fields `data` and `version`): one round trip instead of a version read here and a state read
      // through the sidecar, and the two always belong together.
      const [data, version] = await actorDeps().redis.hmget(this.storeKey(), "data", "version");
      this.cached = data ? (JSON.parse(data) as Stored<S>) : undefined;
      this.version = version ?? null;
    }
  }

  /** Writes the new document and its events in one state write, then publishes the events. */
  protected async commit(state: S, events: DomainEvent[]): Promise<void> {
    await this.watched("commit", () => this.writeDocument(state, events));
    crashPoint("actor.after_write_before_publish", () => [
      `${this.getActorType()}:${this.getActorId().getId()}`,
    ]);
    await this.flushOutbox(true);
  }

  private async writeDocument(state: S, events: DomainEvent[]): Promise<void> {
    const leftovers = (this.cached?.outbox ?? []).filter((e) => !this.published.has(e.id));
    const doc: Stored<S> = { state, outbox: uniqueById([...leftovers, ...events]) };
    // Dapr's actor state API writes without an ETag. While placement moves actors (a host died), two
    // instances of one actor can briefly both run; a write computed on a document another instance has
    // since changed would silently undo that change (a buyer's reservation lost). Refuse it instead:
    // the caller retries, and the retry reads the current document.
    if ((await this.storedVersion()) !== this.version) {
      this.forgetDocument();
      throw new Error(
        `${this.getActorType()} ${this.getActorId().getId()} was written elsewhere since it was read; retry`,
      );
    }
    await this.sidecar().upsert(DOC_KEY, doc);
    this.cached = doc;
    // The store counts versions up by one per write. Should another write have slipped in, the next
    // load sees a version other than this one and reads the document again: a wrong guess costs a read.
    this.version = String(Number(this.version ?? 0) + 1);
    this.published.clear();
  }

  /**
   * Publishes what the stored outbox holds. What fails is retried by a reminder (it lives in the
   * scheduler, so it survives this host's sidecar dying). After a write (`mustSettle`), events that
   * could neither be published nor scheduled for a retry make the command fail, so its caller retries
   * it, and the retry, loading the document, publishes them: an announcement is never left behind.
   */
  protected async flushOutbox(mustSettle = false): Promise<void> {
    const { config, logger } = actorDeps();
    const pending = uniqueById(this.cached?.outbox ?? []).filter((e) => !this.published.has(e.id));
    if (pending.length === 0) return;
    let failed: Set<string>;
    try {
      failed = await this.watched("publish", () =>
        publishEvents(this.getDaprClient(), config.pubsubName, config.eventsTopic, pending),
      );
    } catch (err) {
      logger.warn({ err, events: pending.length }, "event.publish_failed");
      failed = new Set(pending.map((e) => e.id));
    }
    for (const e of pending) if (!failed.has(e.id)) this.published.add(e.id);
    if (failed.size === 0) return;
    logger.warn({ failed: failed.size, actor: this.getActorType() }, "event.publish_deferred");
    try {
      await this.sidecar().remind(OUTBOX_REMINDER, 5_000, { kind: OUTBOX_REMINDER });
    } catch (err) {
      logger.warn({ err }, "event.retry_not_scheduled");
      if (mustSettle)
        throw new Error(`${failed.size} events saved but neither published nor scheduled; retry`);
    }
  }

  /** Reminders: the outbox retry is handled here; every other reminder goes to onReminder. */
  override async receiveReminder(data: unknown): Promise<void> {
    // The SDK runs reminders in an async HTTP handler that does not catch: a throw here would be an
    // unhandled rejection that takes the whole actor host down. A failed reminder is retried instead.
    const d = data as { kind?: string; of?: unknown } | undefined;
    try {
      if (d?.kind === OUTBOX_REMINDER)
        await this.load(); // loading flushes the outbox
      else await this.onReminder(d?.kind === RETRY_REMINDER ? d.of : data);
    } catch (err) {
      const { logger } = actorDeps();
      logger.warn(
        { err, actor: this.getActorType(), id: this.getActorId().getId() },
        "actor.reminder_failed_retry",
      );
      const retry =
        d?.kind === OUTBOX_REMINDER
          ? d
          : { kind: RETRY_REMINDER, of: d?.kind === RETRY_REMINDER ? d.of : data };
      await this.sidecar()
        .remind(d?.kind === OUTBOX_REMINDER ? OUTBOX_REMINDER : RETRY_REMINDER, 5_000, retry)
        .catch((e) =>
          logger.error({ err: e, actor: this.getActorType() }, "actor.reminder_retry_not_scheduled"),
        );
    }
  }

  protected async onReminder(_data: unknown): Promise<void> {}

  override async onActivate(): Promise<void> {
    this.forgetDocument();
  }
}
