// Base for every exchange actor: one state document under one key, written once per command by
// compare-and-set on the version read, with a transactional outbox so events are announced at least
// once and never for unsaved state. Turns are the dispatcher's; dependencies are injected.
import { type DomainEvent, uniqueById } from "../kernel/events.ts";
import { crashPoint } from "../platform/crash-points.ts";
import { type ActorContext, HostedActor } from "./actor-runtime.ts";
import { type EntriesWrite, type Expiry, StoreConflict } from "./document-store.ts";
import { type ActorReminders, OUTBOX_REMINDER, Outbox } from "./outbox.ts";

const DOC_KEY = "doc";
const RETRY_REMINDER = "retry";

/** Dapr's key for an actor's document in the Redis actor store: <app-id>||<type>||<id>||doc. */
export const documentKey = (appId: string, type: string, id: string) =>
  `${appId}||${type}||${id}||${DOC_KEY}`;

/** Where an actor keeps its `entriesField`, one hash field per entry: <app-id>||<type>||<id>||<field>. */
export const entriesKey = (appId: string, type: string, id: string, field: string) =>
  `${appId}||${type}||${id}||${field}`;

interface Stored<S> {
  state: S;
  outbox: DomainEvent[];
}

/**
 * The document as this instance last read or wrote it: its JSON text (never handed out), its version
 * and, for an actor whose documents are frozen (`frozenDocuments`), the parsed state handed to every
 * command until the version changes.
 */
interface Cached<S> {
  text: string | null;
  version: string | null;
  outbox: DomainEvent[];
  frozen?: S | undefined;
  /** The `entriesField` record as stored in its hash (the very objects the frozen state holds). */
  entries?: Record<string, unknown>;
}

/** Freezes `value` and everything it holds; an already frozen object is taken as frozen throughout. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

export abstract class DocumentActor<S> extends HostedActor {
  /** Marks the runtime's base: daprd may not call its methods (load, commit, …) on an actor. */
  static readonly runtimeBase = true;
  private cached: Cached<S> | undefined;
  private readonly outbox: Outbox;
  private readonly key: string;
  private remindersApi: ActorReminders | undefined;

  constructor(ctx: ActorContext) {
    super(ctx);
    this.key = documentKey(ctx.deps.config.appId, ctx.type, ctx.id);
    this.outbox = new Outbox(ctx.deps.publish, () => this.sidecar(), ctx.deps.logger, {
      actor: ctx.type,
      id: ctx.id,
    });
  }

  /** This actor's reminders (Dapr's scheduler through the sidecar). */
  protected sidecar(): ActorReminders {
    this.remindersApi ??= this.deps().reminders(this.getActorType(), this.getActorId().getId());
    return this.remindersApi;
  }

  /**
   * Whether this actor's commands treat the document as immutable (its rules return new states and
   * never change their input). Then the parsed document is kept between commands, deep-frozen, and
   * handed out as is: a command pays no parse of the whole document, and a change made in place throws
   * instead of leaking into the next command. Otherwise each command gets a fresh copy.
   */
  protected get frozenDocuments(): boolean {
    return false;
  }

  /**
   * A field of the document (a record by id, such as a buyer's reservations) kept in a hash of its
   * own beside the document, one hash field per entry, written in the same compare-and-set: a command
   * that adds or removes one entry writes that entry, not the whole record again. Needs
   * `frozenDocuments` (an entry is known unchanged by identity). Undefined: the document is one text.
   */
  protected get entriesField(): string | undefined {
    return undefined;
  }

  private entriesKeyOf(field: string): string {
    return entriesKey(this.deps().config.appId, this.getActorType(), this.getActorId().getId(), field);
  }

  /**
   * The current document. Each command gets a fresh copy (parsed from the stored text), or the frozen
   * one (`frozenDocuments`), so a method that changes it and then throws leaves nothing behind. One
   * store round trip: the text comes back only when the stored version is not the cached one (an
   * instance can outlive its turn as the actor's host when its sidecar dies, and the actor may have
   * run elsewhere meanwhile).
   */
  protected async load(): Promise<S | undefined> {
    await this.watched("load", () => this.readDocument());
    // Events a previous command saved but could not publish (a sidecar died in between) go out before
    // anything else happens, so a retried or replayed command also completes its announcements.
    await this.outbox.flush(this.cached?.outbox ?? []);
    const cached = this.cached;
    if (!cached?.text) return undefined;
    if (cached.frozen !== undefined) return cached.frozen;
    const { state } = JSON.parse(cached.text) as Stored<S>;
    if (this.frozenDocuments) cached.frozen = deepFreeze(state);
    return state;
  }

  private async readDocument(): Promise<void> {
    const known = this.cached?.version;
    const field = this.entriesField;
    if (field !== undefined && !this.frozenDocuments) throw new Error("entriesField needs frozenDocuments");
    const read = await this.deps().store.read(this.key, known, field && this.entriesKeyOf(field));
    if (read.unchanged) return;
    if (this.cached && known !== read.version) {
      this.deps().logger.info(
        { actor: this.getActorType(), id: this.getActorId().getId(), cached: known, stored: read.version },
        "actor.cache_stale_reread",
      );
      this.outbox.reset();
    }
    const stored = read.text ? (JSON.parse(read.text) as Stored<S>) : undefined;
    let entries: Record<string, unknown> | undefined;
    if (field !== undefined && stored) {
      entries = {};
      for (const [id, text] of Object.entries(read.entries ?? {})) entries[id] = JSON.parse(text);
      // A document written before the field moved out still holds its entries: they are kept, and
      // go to the hash with the next write (they are not in `entries`, the hash as stored).
      const doc = stored.state as Record<string, unknown>;
      doc[field] = { ...(doc[field] as Record<string, unknown> | undefined), ...entries };
    }
    const frozen = stored && this.frozenDocuments ? deepFreeze(stored.state) : undefined;
    this.cached = { text: read.text, version: read.version, outbox: stored?.outbox ?? [], frozen, entries };
  }

  /**
   * Writes the new document and its events in one compare-and-set on the version this instance read.
   * Written elsewhere since (two instances of one actor while placement moves it), the write is
   * refused, the cache dropped and the command fails: its caller retries on the current document.
   * The events are published after the command has answered (afterTurn).
   */
  protected async commit(state: S, events: DomainEvent[]): Promise<void> {
    await this.watched("commit", () => this.writeDocument(state, events));
    crashPoint("actor.after_write_before_publish", () => [
      `${this.getActorType()}:${this.getActorId().getId()}`,
    ]);
  }

  private async writeDocument(state: S, events: DomainEvent[]): Promise<void> {
    const outbox = uniqueById([...this.outbox.unconfirmed(this.cached?.outbox ?? []), ...events]);
    const split = this.splitEntries(state);
    const text = JSON.stringify({ state: split?.rest ?? state, outbox });
    let version: string;
    try {
      version = await this.deps().store.write(
        this.key,
        this.cached?.version ?? null,
        text,
        this.expiry(state),
        split?.write,
      );
    } catch (err) {
      // A conflict, or an answer lost on the way (the write may or may not have happened): either way
      // the next load reads the document again.
      this.cached = undefined;
      this.outbox.reset();
      if (err instanceof StoreConflict) {
        this.deps().logger.warn(
          {
            actor: this.getActorType(),
            id: this.getActorId().getId(),
            expected: err.expected,
            found: err.found,
          },
          "actor.write_conflict",
        );
        throw new Error(
          `${this.getActorType()} ${this.getActorId().getId()} was written elsewhere since it was read; retry`,
        );
      }
      throw err;
    }
    const frozen = this.frozenDocuments ? deepFreeze(state) : undefined;
    this.cached = { text, version, outbox, frozen, entries: split?.entries };
    this.outbox.written(outbox);
  }

  /**
   * For an actor with an `entriesField`: the document without it, the record itself, and what its hash
   * needs: the entries that are new or changed since it was stored (by identity), and those gone.
   */
  private splitEntries(state: S) {
    const field = this.entriesField;
    if (field === undefined) return undefined;
    const { [field]: record, ...rest } = state as Record<string, unknown>;
    const entries = (record ?? {}) as Record<string, unknown>;
    const before = this.cached?.entries ?? {};
    const write: EntriesWrite = { key: this.entriesKeyOf(field), set: [], del: [] };
    // Object.keys and indexed loops: for…in over a record of hundreds of keys cost more than the rest.
    const ids = Object.keys(entries);
    let added = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const known = Object.hasOwn(before, id);
      if (!known) added++;
      if (!known || entries[id] !== before[id]) write.set.push([id, JSON.stringify(entries[id])]);
    }
    // Every entry kept was there before: any other entry there before is gone.
    const gone = Object.keys(before);
    if (gone.length > ids.length - added)
      for (let i = 0; i < gone.length; i++) if (!Object.hasOwn(entries, gone[i]!)) write.del.push(gone[i]!);
    // The entries kept are the stored, frozen ones: freezing the new ones and the record now spares
    // the document's deepFreeze a walk over every entry.
    for (const [id] of write.set) deepFreeze(entries[id]);
    Object.freeze(entries);
    return { rest, entries, write };
  }

  override async afterTurn(): Promise<void> {
    if (this.cached) await this.watched("publish", () => this.outbox.flush(this.cached?.outbox ?? []));
  }

  /**
   * Runs one phase of a command (load, commit, publish) under watch: still running after 2 s, it is
   * reported as stuck (it may never finish); finished after more than 1 s, as slow. Either means
   * something is queueing.
   */
  private async watched<T>(phase: string, run: () => Promise<T>): Promise<T> {
    const { logger } = this.deps();
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

  /** Reminders: the outbox retry is handled here; every other reminder goes to onReminder. */
  override async receiveReminder(_name: string, data: unknown): Promise<void> {
    // A failed reminder is retried by a reminder of its own, never thrown back at the host.
    const d = data as { kind?: string; of?: unknown } | undefined;
    try {
      if (d?.kind === OUTBOX_REMINDER)
        await this.load(); // loading flushes the outbox
      else await this.onReminder(d?.kind === RETRY_REMINDER ? d.of : data);
    } catch (err) {
      const { logger } = this.deps();
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

  /**
   * When the document written with `state` may expire (with any keys whose life ends with it), or null
   * to keep it. Decided at every write: an actor whose state can no longer change says when it goes.
   */
  protected expiry(_state: S): Expiry | null {
    return null;
  }
}
