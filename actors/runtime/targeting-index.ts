// Targeting index in Redis: finds candidate buyer campaigns for a call without one actor call per
// buyer. Sets per (vertical, state) hold campaign ids ("*" = any state); each campaign's targeting
// entry (targeting fields only) sits beside them. Buyer actors keep it current on every campaign change.
import type { BuyerCampaign, CallFacts } from "../buyer/buyer-api.ts";
import { type TargetingEntry, targetingEntry } from "../buyer/targeting.ts";
import type { Redis } from "../platform/redis.ts";

const setKey = (vertical: string, state: string) => `dce:tix:${vertical.toLowerCase()}:${state}`;
export const docKey = (campaignId: string) => `dce:campaign:${campaignId}`;

function memberships(c: TargetingEntry): string[] {
  if (c.status !== "active") return [];
  return c.states.length === 0 ? [setKey(c.vertical, "*")] : c.states.map((s) => setKey(c.vertical, s));
}

export async function indexCampaign(redis: Redis, campaign: BuyerCampaign): Promise<void> {
  const priorRaw = await redis.get(docKey(campaign.id));
  const prior = priorRaw ? (JSON.parse(priorRaw) as TargetingEntry) : undefined;
  const next = new Set(memberships(campaign));
  const tx = redis.multi();
  for (const key of prior ? memberships(prior) : []) if (!next.has(key)) tx.srem(key, campaign.id);
  for (const key of next) tx.sadd(key, campaign.id);
  tx.set(docKey(campaign.id), JSON.stringify(targetingEntry(campaign)));
  await tx.exec();
}

// KEYS: the call's targeting sets; ARGV[1]: the entry key prefix. The entries of their union's campaign
// ids, in one round trip (an entry missing meanwhile is left out); MGET in chunks, as Lua's unpack is bounded.
const CANDIDATES = `
local ids = redis.call("SUNION", unpack(KEYS))
local out = {}
for start = 1, #ids, 500 do
  local keys = {}
  for i = start, math.min(start + 499, #ids) do keys[#keys + 1] = ARGV[1] .. ids[i] end
  for _, v in ipairs(redis.call("MGET", unpack(keys))) do
    if v then out[#out + 1] = v end
  end
end
return out`;

type WithCandidates = Redis & { dceCandidates(...args: (string | number)[]): Promise<string[]> };

/** Active campaigns whose vertical and state sets contain the call. Finer checks are the caller's. */
export async function candidateCampaigns(redis: Redis, call: CallFacts): Promise<TargetingEntry[]> {
  const keys = [setKey(call.vertical, "*")];
  if (call.callerState) keys.push(setKey(call.vertical, call.callerState.toUpperCase()));
  if (!("dceCandidates" in redis)) redis.defineCommand("dceCandidates", { lua: CANDIDATES });
  const docs = await (redis as WithCandidates).dceCandidates(keys.length, ...keys, docKey(""));
  return docs.map((raw) => JSON.parse(raw) as TargetingEntry);
}
