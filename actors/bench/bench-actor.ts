// BenchActor: the baseline for benchmarks — an actor call that does nothing (ping), one that calls
// another actor and nothing else (relay: the two sidecar crossings an offer cannot do without,
// CallActor.offer then BuyerActor.reserve), and one that keeps a tiny state document (touch), measured
// through the same daprd as the exchange's actors.
import { actorProxy } from "../platform/dapr-client.ts";
import { DocumentActor } from "../runtime/document-actor.ts";

interface BenchState {
  at: number;
  reminded?: unknown;
}

export class BenchActor extends DocumentActor<BenchState> {
  /** Answers which host process served it, so tests can see placement spread actors over replicas. */
  async ping(): Promise<{ ok: true; host: string }> {
    return { ok: true, host: `${process.env.APP_PORT ?? "?"}:${process.pid}` };
  }

  /** Calls another BenchActor's ping through this host's daprd, as a call actor asks a buyer to reserve. */
  async relay(to: string): Promise<{ ok: true; host: string }> {
    const target = actorProxy<{ ping(): Promise<{ host: string }> }>(this.getDaprClient(), "BenchActor", to);
    return { ok: true, host: (await target.ping()).host };
  }

  /**
   * This host process's memory, after a full collection when the process allows one (`--expose-gc`,
   * as the local stack runs it): the benchmark's measure of memory per active actor.
   */
  async memory(): Promise<{ host: string; gc: boolean; rssBytes: number; heapUsedBytes: number }> {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const m = process.memoryUsage();
    return { host: (await this.ping()).host, gc: !!gc, rssBytes: m.rss, heapUsedBytes: m.heapUsed };
  }

  async touch(): Promise<{ ok: true }> {
    await this.load();
    await this.commit({ at: Date.now() }, []);
    return { ok: true };
  }

  /** Registers a reminder carrying `data`; when it fires, the data is kept (see `reminded`). */
  async remindIn(dueMs: number, data: unknown): Promise<{ ok: true }> {
    await this.sidecar().remind("bench", dueMs, data);
    return { ok: true };
  }

  async reminded(): Promise<{ data: unknown }> {
    return { data: (await this.load())?.reminded ?? null };
  }

  protected override async onReminder(data: unknown): Promise<void> {
    await this.load();
    await this.commit({ at: Date.now(), reminded: data }, []);
  }
}
