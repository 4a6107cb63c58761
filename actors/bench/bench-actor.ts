// BenchActor: the baseline for benchmarks — an actor call that does nothing (ping) and one that
// keeps a tiny state document (touch), measured through the same daprd as the exchange's actors.
import { AbstractActor } from "@dapr/dapr";

export class BenchActor extends AbstractActor {
  async ping(): Promise<{ ok: true }> {
    return { ok: true };
  }

  async touch(): Promise<{ ok: true }> {
    const sm = this.getStateManager<{ at: number }>();
    await sm.setState("doc", { at: Date.now() });
    await sm.saveState();
    return { ok: true };
  }
}
