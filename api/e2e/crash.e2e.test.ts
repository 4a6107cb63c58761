// Crash proofs through the real stack: kill the ledger subscriber (the events app) and, separately,
// the actor host's daprd in the middle of a stream of billable calls. Every billable call must be
// charged exactly once, no posting may be missing, the books must balance and the buyer actor must
// agree with the ledger.
import { afterAll, afterEach, describe, it } from "vitest";
import { assertChargedOnce, billableFlow, crash, market, sleep, sql, untilRecovered } from "./chaos.ts";

afterEach(() => untilRecovered(), 100_000);
afterAll(() => sql.end());

describe("crash proofs", () => {
  it("the ledger subscriber killed mid-stream: every billable call is charged exactly once", async () => {
    const { buyer, seller } = await market();
    const flows = Array.from({ length: 24 }, (_, i) => sleep(i * 60).then(() => billableFlow(seller)));
    await sleep(400);
    await crash("exchange-events");
    const callIds = await Promise.all(flows);
    await assertChargedOnce(buyer, callIds, 15_000_000);
  }, 150_000);

  it("the actor host's sidecar killed mid-stream: calls retry through, each charged exactly once", async () => {
    const { buyer, seller } = await market();
    const flows = Array.from({ length: 16 }, (_, i) => sleep(i * 80).then(() => billableFlow(seller)));
    await sleep(500);
    await crash("exchange-actors-daprd");
    const callIds = await Promise.all(flows);
    await assertChargedOnce(buyer, callIds, 15_000_000);
  }, 150_000);
});
