// Key revocations and changes, broadcast to every API replica over Redis pub/sub, so a revoked key stops
// working everywhere at once instead of when each replica's cache entry ages out. A replica trusts its
// cache only while its subscription is up: when the connection drops, listeners hear `reset` (drop
// everything) and keep hearing nothing until it is subscribed again, so a missed message cannot leave a
// revoked key cached.
import type { Logger } from "../actors/platform/logger.ts";
import type { Redis } from "../actors/platform/redis.ts";

export const KEY_EVENTS_CHANNEL = "dce:keys:events";

export type KeyEvent =
  | { type: "revoked"; keyId: string }
  /** The key's expiry moved (rotation): caches re-read it; live sessions end at `expiresAtMs`. */
  | { type: "expires"; keyId: string; expiresAtMs: number }
  /** Anything may have changed while this replica was not listening. */
  | { type: "reset" };

export class KeyEvents {
  private readonly listeners = new Set<(e: KeyEvent) => void>();
  private readonly sub: Redis;
  private subscribed = false;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    /** The subscriber connection's name in Redis's CLIENT LIST. */
    connectionName = "dce-key-events",
  ) {
    this.sub = redis.duplicate({ connectionName });
    this.sub.on("error", () => undefined);
    this.sub.on("message", (channel: string, text: string) => {
      if (channel === KEY_EVENTS_CHANNEL) this.deliver(parse(text));
    });
    // Redis may drop again right after "ready": a failed subscribe is retried on the next "ready".
    this.sub.on("ready", () =>
      this.subscribe().catch((err: unknown) => this.logger.warn({ err }, "api.key_events_subscribe_failed")),
    );
    for (const gone of ["close", "reconnecting", "end"])
      this.sub.on(gone, () => {
        if (!this.subscribed) return;
        this.subscribed = false;
        this.logger.warn("api.key_events_down");
        this.deliver({ type: "reset" });
      });
  }

  /** True while this replica hears every key event: only then may it serve keys from a cache. */
  get listening(): boolean {
    return this.subscribed;
  }

  /** Resolves once subscribed (or rejects if Redis does not answer). */
  async ready(): Promise<void> {
    if (!this.subscribed) await this.subscribe();
  }

  on(listener: (e: KeyEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells every replica (this one included, through the same channel). */
  async publish(e: Exclude<KeyEvent, { type: "reset" }>): Promise<void> {
    this.deliver(e); // here at once, even before the round trip
    await this.redis.publish(KEY_EVENTS_CHANNEL, JSON.stringify(e));
  }

  close(): void {
    this.subscribed = false;
    this.sub.disconnect();
  }

  private async subscribe(): Promise<void> {
    await this.sub.subscribe(KEY_EVENTS_CHANNEL);
    if (this.subscribed) return;
    this.deliver({ type: "reset" }); // events published while not subscribed are lost: forget all
    this.subscribed = true;
  }

  private deliver(e: KeyEvent | undefined) {
    if (!e) return;
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.logger.error({ err }, "api.key_event_listener_failed");
      }
    }
  }
}

function parse(text: string): KeyEvent | undefined {
  try {
    const e = JSON.parse(text) as KeyEvent;
    if (e.type === "revoked" && typeof e.keyId === "string") return e;
    if (e.type === "expires" && typeof e.keyId === "string" && Number.isFinite(e.expiresAtMs)) return e;
  } catch {}
  return undefined;
}
