// Calling hours and the 3-per-24 h limit through the stack, on the API's injected clock: an API
// replica (the real app against the stack's Redis, Postgres, sidecar and actors) whose `now` the test
// sets, so every instant is fixed and both sides of each boundary run at any hour of the day.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { takeFrequencySlot } from "../../actors/compliance/offer-screen.ts";
import { createBuyer, createBuyerCampaign, createSeller, randomCaller, uniq } from "./client.ts";
import {
  clockedApi,
  type Decision,
  offerAt,
  redisClient,
  TestClock,
  vertical,
} from "./compliance-helpers.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const clock = new TestClock();
let api: Awaited<ReturnType<typeof clockedApi>>;
beforeAll(async () => {
  api = await clockedApi(clock);
});
afterAll(async () => {
  await api.stop();
});

async function market(trafficType: "inbound" | "outbound" | "callback") {
  const v = vertical();
  const buyerId = await createBuyer(1_000_000_000);
  await createBuyerCampaign(buyerId, { vertical: v, states: [], bidMicros: 30_000_000 });
  const seller = await createSeller({ vertical: v, reserveMicros: 1_000_000, trafficType });
  return { buyerId, seller };
}

const MIAMI = { callerState: "FL", callerZip: "33101" }; // Eastern Florida, 8:00-20:00, 3 per 24 h
const NEW_YORK = { callerState: "NY", callerZip: "10001" }; // the federal rule only, 8:00-21:00

describe("calling hours at the called party's local time, on the API's clock", () => {
  it("routes a Florida outbound call at 19:59 and refuses it at 20:00; inbound is never refused", async () => {
    const { buyerId, seller } = await market("outbound");
    const inbound = await market("inbound");
    clock.set("2026-07-15T23:59:00Z"); // 19:59 EDT
    const before = await offerAt(api.base, seller, randomCaller("305"), MIAMI);
    expect(before.body).toMatchObject({ status: "routed", buyerId });
    clock.set("2026-07-16T00:00:00Z"); // 20:00 EDT
    const after = await offerAt(api.base, seller, randomCaller("305"), MIAMI);
    expect(after.status).toBe(201);
    expect(after.body).toMatchObject({ status: "rejected", reason: { code: "outside_calling_hours" } });
    expect(after.body.reason?.detail).toBe(
      "fl-ftsa-2021: calls only 08:00-20:00; it is 20:00 in America/New_York",
    );
    expect((await offerAt(api.base, inbound.seller, randomCaller("305"), MIAMI)).body).toMatchObject({
      status: "routed",
      buyerId: inbound.buyerId,
    });
  });

  it("routes a federal-rule call at 20:59 and refuses it at 21:00; 07:59 and 08:00 likewise", async () => {
    const { buyerId, seller } = await market("outbound");
    const at = async (iso: string) => {
      clock.set(iso);
      return (await offerAt(api.base, seller, randomCaller("212"), NEW_YORK)).body;
    };
    expect(await at("2026-07-16T00:59:00Z")).toMatchObject({ status: "routed", buyerId }); // 20:59 EDT
    expect(await at("2026-07-16T01:00:00Z")).toMatchObject({
      status: "rejected",
      reason: { code: "outside_calling_hours", detail: expect.stringMatching(/^us-federal-2003: /) },
    });
    expect((await at("2026-07-15T11:59:00Z")).reason?.code).toBe("outside_calling_hours"); // 07:59
    expect(await at("2026-07-15T12:00:00Z")).toMatchObject({ status: "routed", buyerId }); // 08:00
  });

  it("follows the Panhandle's Central time: an 850 number waits for 08:00 CDT, an hour after Miami", async () => {
    const { seller } = await market("outbound");
    const pensacola = { callerState: "FL", callerZip: "32501" };
    clock.set("2026-07-15T12:30:00Z"); // 08:30 EDT, 07:30 CDT
    expect((await offerAt(api.base, seller, randomCaller("305"), MIAMI)).body.status).toBe("routed");
    const early = await offerAt(api.base, seller, randomCaller("850"), pensacola);
    expect(early.body.reason).toEqual({
      code: "outside_calling_hours",
      detail: "us-federal-2003: calls only 08:00-21:00; it is 07:30 in America/Chicago",
    });
    clock.set("2026-07-15T13:00:00Z"); // 08:00 CDT
    expect((await offerAt(api.base, seller, randomCaller("850"), pensacola)).body.status).toBe("routed");
  });
});

describe("the 3-per-24 h limit on one caller and subject, on the API's clock", () => {
  it("routes 3, refuses the 4th, and routes again once the first call leaves the 24 h window", async () => {
    const { seller } = await market("callback");
    const number = randomCaller("305");
    const t0 = Date.parse("2026-07-15T14:00:00Z"); // 10:00 EDT
    const at = async (ms: number) => {
      clock.at = ms;
      return (await offerAt(api.base, seller, number, MIAMI)).body;
    };
    const first = [await at(t0), await at(t0 + HOUR), await at(t0 + 2 * HOUR)];
    expect(first.map((d) => d.status)).toEqual(["routed", "routed", "routed"]);
    expect((await at(t0 + 3 * HOUR)).reason?.code).toBe("calling_frequency_limit");
    expect((await at(t0 + DAY - 60_000)).reason?.code).toBe("calling_frequency_limit"); // 23:59 later
    expect((await at(t0 + DAY)).status).toBe("routed"); // the first call has left the window
    expect((await at(t0 + DAY + 60_000)).reason?.code).toBe("calling_frequency_limit");
    expect((await at(t0 + DAY + HOUR)).status).toBe("routed"); // and now the second has
  });

  it("lets exactly 3 of 12 racing offers through, and counts a retried offer once", async () => {
    const { seller } = await market("callback");
    const number = randomCaller("305");
    clock.set("2026-07-15T15:00:00Z"); // 11:00 EDT
    const keys = Array.from({ length: 12 }, () => uniq());
    const results: Decision[] = (
      await Promise.all(keys.map((k) => offerAt(api.base, seller, number, MIAMI, k)))
    ).map((r) => r.body);
    const routed = results.filter((d) => d.status === "routed");
    expect(routed).toHaveLength(3);
    for (const d of results.filter((r) => r.status !== "routed"))
      expect(d.reason?.code).toBe("calling_frequency_limit");
    // The same offer again (same idempotency key, same call) is not a 4th call on the subject.
    const retried = keys[results.indexOf(routed[0]!)]!;
    clock.advance(60_000);
    const again = await offerAt(api.base, seller, number, MIAMI, retried);
    expect(again.body).toMatchObject({ status: "routed", callId: routed[0]!.callId });
    expect((await offerAt(api.base, seller, number, MIAMI)).body.reason?.code).toBe(
      "calling_frequency_limit",
    );
  });

  it("keeps a sliding 24 h window in Redis at fixed instants, its edge at exactly 24 h", async () => {
    const redis = redisClient();
    try {
      const key = `dce:test:freq:${uniq()}`;
      const t0 = Date.parse("2026-07-15T14:00:00Z");
      const take = (id: string, ms: number) => takeFrequencySlot(redis, key, id, ms, 3);
      expect([await take("a", t0), await take("b", t0 + 1), await take("c", t0 + 2)]).toEqual([
        true,
        true,
        true,
      ]);
      expect(await take("d", t0 + 3)).toBe(false);
      expect(await take("a", t0 + 4)).toBe(true); // a call already counted is not counted twice
      expect(await take("e", t0 + DAY - 1)).toBe(false);
      expect(await take("e", t0 + DAY)).toBe(true); // "a" leaves at exactly 24 h
      expect(await take("f", t0 + DAY)).toBe(false);
    } finally {
      redis.disconnect();
    }
  });
});
