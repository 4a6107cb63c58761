// BenchActor: the baseline for benchmarks — an actor call that does nothing (ping) and one that
// keeps a tiny state document (touch), measured through the same daprd as the exchange's actors.
import { AbstractActor } from "@dapr/dapr";

export class BenchActor extends AbstractActor {
  /** Answers which host process served it, so tests can see placement spread actors over replicas. */
  async ping(): Promise<{ ok: true; host: string }> {
    return { ok: true, host: `${process.env.APP_PORT ?? "?"}:${process.pid}` };
  }

  async touch(): Promise<{ ok: true }> {
    const sm = this.getStateManager<{ at: number }>();
    await sm.setState("doc", { at: Date.now() });
    await sm.saveState();
    return { ok: true };
  }
}
