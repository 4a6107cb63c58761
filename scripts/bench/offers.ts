// Offers under load, measured the way the benchmark reports them: a closed loop at a concurrency
// against the API, and the CPU each stack process spent per offer (counted after the events pipeline
// has drained, so the writer's share is in), with the sidecar requests and Redis commands per offer.
import { API } from "../../api/e2e/stack.ts";
import { countersPerOffer, type PerOffer, readCounters } from "./counters.ts";
import { cpuMs, perOffer, syscalls } from "./cpu.ts";
import { type LoadResult, runLoad } from "./driver.ts";
import type { Market } from "./market.ts";

/** An offer answered as the exchange means it: routed, or no buyer would take it. */
export const offerOk = (status: number, body: string) =>
  status === 201 && /"status":"(routed|no_bid)"/.test(body);
export const routed = (status: number, body: string) => status === 201 && body.includes('"status":"routed"');

export async function offerLoad(
  market: Market,
  opts: { concurrency: number; durationMs: number },
): Promise<
  LoadResult & {
    cpuMsPerOffer: Record<string, number>;
    syscallsPerOffer: Record<string, number>;
    perOffer: PerOffer;
  }
> {
  const counters = await readCounters();
  const calls = syscalls();
  const before = cpuMs();
  const r = await runLoad({ baseUrl: API, ...opts, next: market.offer, ok: offerOk, hit: routed });
  await new Promise((res) => setTimeout(res, 2_000));
  const cpuMsPerOffer = perOffer(before, cpuMs(), r.requests);
  const syscallsPerOffer = perOffer(calls, syscalls(), r.requests);
  return {
    ...r,
    cpuMsPerOffer,
    syscallsPerOffer,
    perOffer: countersPerOffer(counters, await readCounters(), r.requests),
  };
}
