// The targeting index against a real Redis (127.0.0.1:6380, started by the integration tier): an
// auction's candidates are the entries of the call's vertical and state sets.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import type { BuyerCampaign, CallFacts } from "../buyer/buyer-api.ts";
import { candidateCampaigns, docKey, indexCampaign } from "./targeting-index.ts";

const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
afterAll(() => redis.quit());

const campaign = (vertical: string, states: string[], over: Partial<BuyerCampaign> = {}) =>
  ({
    id: `bcp_${randomUUID().replaceAll("-", "")}`,
    buyerId: `byr_${randomUUID().replaceAll("-", "")}`,
    name: "c",
    status: "active",
    vertical,
    states,
    bidMicros: 1_000_000,
    minDurationSec: 0,
    priority: 1,
    weight: 1,
    destination: { number: "+15555550100" },
    caps: {},
    duplicateWindowDays: 0,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    version: 1,
    ...over,
  }) as BuyerCampaign;

const call = (vertical: string, callerState?: string): CallFacts => ({
  callId: "call_x",
  callerHash: "",
  vertical,
  tags: [],
  ...(callerState ? { callerState } : {}),
});

describe("candidate campaigns", () => {
  it("unites the any-state and the caller's state set, once each, active only", async () => {
    const v = `v${randomUUID().slice(0, 8)}`;
    const anyState = campaign(v, []);
    const texas = campaign(v, ["TX", "CA"]);
    const ohio = campaign(v, ["OH"]);
    const paused = campaign(v, [], { status: "paused" });
    const otherVertical = campaign(`w${v}`, []);
    for (const c of [anyState, texas, ohio, paused, otherVertical]) await indexCampaign(redis, c);
    const ids = (await candidateCampaigns(redis, call(v, "tx"))).map((c) => c.id);
    expect(ids.sort()).toEqual([anyState.id, texas.id].sort());
    expect((await candidateCampaigns(redis, call(v))).map((c) => c.id)).toEqual([anyState.id]);
    expect(await candidateCampaigns(redis, call(`none${v}`, "TX"))).toEqual([]);
  });

  it("finds every one of 1,200 candidates and leaves out an entry gone meanwhile", async () => {
    const v = `v${randomUUID().slice(0, 8)}`;
    const all = Array.from({ length: 1_200 }, () => campaign(v, []));
    for (const c of all) await indexCampaign(redis, c);
    await redis.del(docKey(all[0]!.id));
    const found = await candidateCampaigns(redis, call(v, "NY"));
    expect(found).toHaveLength(1_199);
    expect(new Set(found.map((c) => c.id))).toEqual(new Set(all.slice(1).map((c) => c.id)));
    expect(found.find((c) => c.id === all[1]!.id)).toMatchObject({
      buyerId: all[1]!.buyerId,
      bidMicros: 1_000_000,
    });
  });
});
