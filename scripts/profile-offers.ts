// Drives offers at concurrency 16 against the running stack for a while and prints the CPU ms per offer
// of each stack process: the quick before/after check for a change to the offer path. For a profile,
// add "--cpu-prof", "--cpu-prof-dir=/tmp/prof" to the node commands in dapr.yaml; the profiles are
// written when the stack stops. Usage: node --import tsx scripts/profile-offers.ts [candidates] [seconds]
import { API, adminKey } from "../api/e2e/stack.ts";
import { buildMarket } from "./bench/market.ts";
import { offerLoad } from "./bench/offers.ts";

const candidates = Number(process.argv[2] ?? 10);
const seconds = Number(process.argv[3] ?? 20);
const market = await buildMarket(API, adminKey(), candidates);
const r = await offerLoad(market, { concurrency: 16, durationMs: seconds * 1000 });
console.log(r.cpuMsPerOffer);
console.log("syscalls per offer", r.syscallsPerOffer);
console.log("per offer", r.perOffer);
console.log(
  JSON.stringify({
    candidates,
    requests: r.requests,
    rps: r.rps,
    p50: r.p50Ms,
    p99: r.p99Ms,
    errors: r.errors,
  }),
);
