// BuyerActor on the in-memory document store (its side data — targeting index, recent callers,
// settlement records — in a real Redis at 127.0.0.1:6380, started by the integration tier): reserve
// and capture through the dispatcher, and two instances of one buyer racing (a delayed write).
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import type { Result } from "../kernel/result.ts";
import { Dispatcher } from "../runtime/dispatcher.ts";
import { type DocumentStore, MemoryDocumentStore } from "../runtime/document-store.ts";
import { RedisDocumentStore } from "../runtime/redis-document-store.ts";
import { afterTurns, testDeps } from "../runtime/test-host.ts";
import { BuyerActor } from "./buyer-actor.ts";
import type { BuyerBalance, BuyerState, ReserveCommand } from "./buyer-api.ts";
import { testCall, testCampaign } from "./test-builders.ts";

const USD = 1_000_000;
const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
afterAll(() => redis.disconnect());

function host(store: DocumentStore) {
  const seams = testDeps({ store, redis });
  const d = new Dispatcher([BuyerActor], seams.deps);
  const buyer = (id: string) =>
    new Proxy(
      {},
      {
        get:
          (_t, m: string) =>
          (...args: unknown[]) =>
            d.invoke("BuyerActor", id, m, args),
      },
    ) as Record<string, (...a: unknown[]) => Promise<Result<unknown>>>;
  return { buyer, seams };
}

async function market(store: DocumentStore) {
  const buyerId = `byr_${randomUUID().slice(0, 8)}`;
  const campaignId = `bcp_${randomUUID().slice(0, 8)}`;
  const { buyer, seams } = host(store);
  const b = buyer(buyerId);
  await b.create!({ buyerId, name: "b", timezone: "UTC", creditLimitMicros: 0 });
  await b.deposit!({ depositId: "dep_1", amountMicros: 100 * USD });
  const campaign = testCampaign({ id: campaignId, buyerId, bidMicros: 20 * USD });
  expect((await b.upsertCampaign!({ campaign })).ok).toBe(true);
  return { buyerId, campaignId, b, seams };
}

const reserveCmd = (campaignId: string, callId: string): ReserveCommand => ({
  callId,
  campaignId,
  priceMicros: 20 * USD,
  bid: { source: "standing", amountMicros: 20 * USD },
  call: testCall({ callId, callerHash: `h_${callId}` }),
  ttlMs: 60_000,
});

describe("BuyerActor on the in-memory store", () => {
  it("reserves, then captures the price once, and announces both after answering", async () => {
    const { campaignId, b, seams } = await market(new MemoryDocumentStore());
    const reserved = await b.reserve!(reserveCmd(campaignId, "call_r1"));
    expect(reserved.ok).toBe(true);
    expect(await b.balance!()).toMatchObject({ ok: true, value: { reservedMicros: 20 * USD } });
    expect(await b.capture!({ callId: "call_r1" })).toEqual({
      ok: true,
      value: { callId: "call_r1", chargedMicros: 20 * USD },
    });
    const balance = (await b.balance!()) as Result<BuyerBalance> & { ok: true };
    expect(balance.value).toMatchObject({ balanceMicros: 80 * USD, reservedMicros: 0 });
    await afterTurns();
    expect(seams.published.map((e) => e.type)).toEqual(
      expect.arrayContaining(["buyer.reserved", "buyer.captured"]),
    );
  });

  it("refuses a reservation written on a document another instance changed meanwhile", async () => {
    const shared = new MemoryDocumentStore();
    const { buyerId, campaignId } = await market(shared);
    // Two instances of this buyer (placement moving it): the first one's write waits for the gate.
    let open: () => void = () => undefined;
    const gate = new Promise<void>((r) => (open = r));
    const slowStore: DocumentStore = {
      read: (...a) => shared.read(...a),
      write: async (...a) => {
        await gate;
        return shared.write(...a);
      },
    };
    const slow = host(slowStore).buyer(buyerId);
    const fast = host(shared).buyer(buyerId);
    const first = slow.reserve!(reserveCmd(campaignId, "call_slow"));
    await new Promise((r) => setTimeout(r, 50)); // the slow instance has read the document
    expect((await fast.reserve!(reserveCmd(campaignId, "call_fast"))).ok).toBe(true);
    open();
    await expect(first).rejects.toThrow("written elsewhere");
    // The caller retries; both holds stand (before, the slow write dropped call_fast's hold).
    expect((await slow.reserve!(reserveCmd(campaignId, "call_slow"))).ok).toBe(true);
    const state = (await fast.get!()) as Result<BuyerState> & { ok: true };
    expect(Object.keys(state.value.reservations).sort()).toEqual(["call_fast", "call_slow"]);
  });
});

describe("BuyerActor on the Redis document store", () => {
  it("keeps open holds one per hash field: a reserve or capture writes its one hold, not all of them", async () => {
    const store = new RedisDocumentStore(redis);
    const { buyerId, campaignId, b } = await market(store);
    const cmd = (callId: string) => ({
      ...reserveCmd(campaignId, callId),
      priceMicros: 1,
      bid: { source: "standing" as const, amountMicros: 1 },
    });
    const doc = `test-app||BuyerActor||${buyerId}||doc`;
    const holds = `test-app||BuyerActor||${buyerId}||reservations`;
    const sizes: number[] = [];
    for (let i = 0; i < 60; i++) {
      expect((await b.reserve!(cmd(`call_${String(i).padStart(3, "0")}`))).ok).toBe(true);
      sizes.push((await redis.hget(doc, "data"))!.length);
    }
    // The document does not grow with the holds (the 10th and the 60th write are the same size: the
    // outbox of one event and the counters), and every hold is a field of its own.
    expect(sizes[59]).toBe(sizes[9]);
    expect(await redis.hlen(holds)).toBe(60);
    expect(JSON.parse((await redis.hget(holds, "call_007"))!)).toMatchObject({ priceMicros: 1 });
    expect(await b.capture!({ callId: "call_007" })).toMatchObject({ ok: true });
    expect(await redis.hexists(holds, "call_007")).toBe(0);
    // Another instance of the buyer (another host) reads the document and its holds as one state.
    const other = host(store).buyer(buyerId);
    const state = (await other.get!()) as Result<BuyerState> & { ok: true };
    expect(Object.keys(state.value.reservations)).toHaveLength(59);
    expect(await other.balance!()).toMatchObject({ ok: true, value: { reservedMicros: 59 } });
  });
});
