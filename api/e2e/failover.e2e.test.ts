// Replicas and failover under load: the actor host runs as two replicas of one app id; placement
// spreads actors over both; killing one replica, or restarting Redis, during a stream of billable calls
// loses no accepted call and charges each exactly once.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { assertChargedOnce, billableFlow, crash, market, sleep, sql, untilRecovered } from "./chaos.ts";
import { sidecarHeaders } from "./stack.ts";

afterEach(() => untilRecovered(), 100_000);
afterAll(() => sql.end());

/** Which actor host process answers for an actor id (BenchActor.ping reports its host). */
async function hostOf(id: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:3502/v1.0/actors/BenchActor/${id}/method/ping`, {
    method: "POST",
    headers: sidecarHeaders(),
  });
  return ((await res.json()) as { host: string }).host;
}

describe("replicas and failover", () => {
  it("placement spreads actors over both actor host replicas", async () => {
    const hosts = await Promise.all(
      Array.from({ length: 40 }, (_, i) => hostOf(`spread-${Date.now()}-${i}`)),
    );
    const ports = new Set(hosts.map((h) => h.split(":")[0]));
    expect(ports).toEqual(new Set(["3001", "3011"]));
  });

  it("one replica killed under load: every call completes and is charged exactly once", async () => {
    const { buyer, seller } = await market();
    const flows = Array.from({ length: 30 }, (_, i) => sleep(i * 50).then(() => billableFlow(seller)));
    await sleep(500);
    await crash("exchange-actors-2");
    const callIds = await Promise.all(flows);
    await assertChargedOnce(buyer, callIds, 15_000_000);
  }, 180_000);

  it("Redis restarted under load: state survives (append-only file) and every call is charged once", async () => {
    const { buyer, seller } = await market();
    const flows = Array.from({ length: 20 }, (_, i) => sleep(i * 60).then(() => billableFlow(seller)));
    await sleep(400);
    await crash("redis");
    const callIds = await Promise.all(flows);
    await assertChargedOnce(buyer, callIds, 15_000_000);
  }, 180_000);
});
