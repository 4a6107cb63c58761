// Turn dispatch: one turn at a time per actor instance. daprd enforces turns too, but when a call
// times out it lets the next one in while the first may still be running here; two commands computed
// on the same document would then overwrite each other. The dispatcher queues them instead.
import type { Logger } from "../platform/logger.ts";
import { type ActorClass, type ActorDeps, HostedActor } from "./actor-runtime.ts";

/** A request daprd made that names no actor type, method or instance this host serves. */
export class NotHosted extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotHosted";
  }
}

interface Instance {
  actor: HostedActor;
  tail: Promise<unknown>;
}

const BASE_METHODS = new Set(Object.getOwnPropertyNames(HostedActor.prototype));

export class Dispatcher {
  private readonly types = new Map<string, { cls: ActorClass; methods: Set<string> }>();
  private readonly instances = new Map<string, Instance>();
  private readonly logger: Logger;

  constructor(
    classes: ActorClass[],
    private readonly deps: ActorDeps,
  ) {
    this.logger = deps.logger;
    for (const cls of classes) this.types.set(cls.name, { cls, methods: methodsOf(cls) });
  }

  /** The actor types served (the class names). */
  typeNames(): string[] {
    return [...this.types.keys()];
  }

  /** How many actor instances are active on this host. */
  active(): number {
    return this.instances.size;
  }

  /** Runs `method` with `args` in the instance's next turn; after it has answered, runs afterTurn. */
  invoke(type: string, id: string, method: string, args: unknown[]): Promise<unknown> {
    const kind = this.types.get(type);
    if (!kind) return Promise.reject(new NotHosted(`actor type ${type} is not hosted here`));
    if (!kind.methods.has(method)) return Promise.reject(new NotHosted(`${type} has no method ${method}`));
    return this.turn(type, id, (actor) =>
      (actor as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args),
    );
  }

  remind(type: string, id: string, name: string, data: unknown): Promise<unknown> {
    if (!this.types.has(type)) return Promise.reject(new NotHosted(`actor type ${type} is not hosted here`));
    return this.turn(type, id, (actor) => actor.receiveReminder(name, data));
  }

  /**
   * daprd deactivated the instance: it was idle, or its type moved to another host in a placement
   * round. Answers at once. daprd sends these inside the round, before it acknowledges the new table,
   * and a turn still running here may be waiting on an actor type that same round has locked: waiting
   * for that turn stalled the round past placement's deadline, and Dapr 1.18's sidecar then stopped
   * answering actor calls for good (the chaos tier's frozen host). So the instance leaves the table
   * now (the next call here starts a fresh one) while its queued turns finish and onDeactivate runs
   * after them, in the background; their writes stay safe, every document write being a
   * compare-and-set on the version its instance read. Answers when onDeactivate has run, for tests.
   */
  deactivate(type: string, id: string): { finished: Promise<void> } {
    const key = `${type}||${id}`;
    const inst = this.instances.get(key);
    if (!inst) return { finished: Promise.resolve() };
    this.instances.delete(key);
    const finished = inst.tail
      .then(() => inst.actor.onDeactivate())
      .catch((err: unknown) => this.logger.warn({ err, actor: type, id }, "actor.deactivate_failed"));
    return { finished };
  }

  private turn(type: string, id: string, run: (actor: HostedActor) => Promise<unknown>): Promise<unknown> {
    const inst = this.instance(type, id);
    const result = inst.tail.then(() => run(inst.actor));
    inst.tail = result.then(
      () => undefined,
      () => undefined,
    );
    // After the answer is on its way (the caller's continuation runs first), outside the turn.
    void result.then(
      () =>
        setImmediate(() =>
          inst.actor
            .afterTurn()
            .catch((err: unknown) => this.logger.warn({ err, actor: type, id }, "actor.after_turn_failed")),
        ),
      () => undefined,
    );
    return result;
  }

  private instance(type: string, id: string): Instance {
    const key = `${type}||${id}`;
    let inst = this.instances.get(key);
    if (!inst) {
      const { cls } = this.types.get(type)!;
      inst = { actor: new cls({ type, id, deps: this.deps }), tail: Promise.resolve() };
      this.instances.set(key, inst);
    }
    return inst;
  }
}

/**
 * The methods daprd may call: those the actor class and its own bases declare, not the runtime's
 * (HostedActor and every base that marks itself with an own static `runtimeBase`).
 */
function methodsOf(cls: ActorClass): Set<string> {
  const names = new Set<string>();
  for (
    let p = cls.prototype;
    p && p !== HostedActor.prototype && !Object.hasOwn(p.constructor, "runtimeBase");
    p = Object.getPrototypeOf(p)
  )
    for (const name of Object.getOwnPropertyNames(p))
      if (name !== "constructor" && !BASE_METHODS.has(name) && typeof p[name] === "function") names.add(name);
  return names;
}
