// Redis side of compliance: the keys of DNC lists, suppression and the blocklist, and the one-round-trip
// lookup of everything that suppresses a caller. Numbers appear only as keyed hashes.
import { LuaScript } from "./lua-script.ts";
import type { Redis } from "./redis.ts";

export const DNC_ACTIVE = "dce:dnc:active"; // HASH list id → "<generation>:<shard bits>"
export const BLOCKLIST = "dce:blocklist"; // SET of caller hashes
export const dncShardKey = (listId: string, generation: number, shard: number) =>
  `dce:dnc:${listId}:${generation}:${shard}`;
/** SET of scopes suppressing a caller: "exchange" or buyer ids. */
export const suppressionKey = (hash: string) => `dce:sup:${hash}`;
export const velocityKey = (hash: string) => `dce:vel:${hash}`;
export const frequencyKey = (hash: string, subject: string) => `dce:freq:${hash}:${subject}`;

// One round trip whatever the number of lists: each active list is one SISMEMBER on one shard.
const LOOKUP = `
local top = tonumber(ARGV[2])
local lists = redis.call('HGETALL', KEYS[1])
local hits = {}
for i = 1, #lists, 2 do
  local gen, bits = string.match(lists[i + 1], '^(%d+):(%d+)$')
  local shard = math.floor(top / 2 ^ (32 - tonumber(bits)))
  local key = 'dce:dnc:' .. lists[i] .. ':' .. gen .. ':' .. string.format('%d', shard)
  if redis.call('SISMEMBER', key, ARGV[3]) == 1 then hits[#hits + 1] = lists[i] end
end
return { hits, redis.call('SMEMBERS', KEYS[2]), redis.call('SISMEMBER', KEYS[3], ARGV[1]) }
`;

export interface CallerLookup {
  dncLists: string[];
  scopes: string[]; // "exchange" and/or buyer ids
  blocked: boolean;
}

const LOOKUP_SCRIPT = new LuaScript(LOOKUP);

export async function lookupCaller(redis: Redis, hash: string): Promise<CallerLookup> {
  const hex = hash.slice(3);
  const top = String(Number.parseInt(hex.slice(0, 8), 16));
  const member = String(Number.parseInt(hex.slice(8, 20), 16));
  const [hits, scopes, blocked] = await LOOKUP_SCRIPT.run<[string[], string[], number]>(
    redis,
    [DNC_ACTIVE, suppressionKey(hash), BLOCKLIST],
    [hash, top, member],
  );
  return { dncLists: hits, scopes, blocked: blocked === 1 };
}

/** Who suppresses this caller: the exchange (an opt-out) and which buyers. One SMEMBERS. */
export async function suppressionsOf(
  redis: Redis,
  callerHash: string,
): Promise<{ exchange: boolean; buyers: Set<string> }> {
  const scopes = callerHash ? await redis.smembers(suppressionKey(callerHash)) : [];
  return { exchange: scopes.includes("exchange"), buyers: new Set(scopes.filter((s) => s !== "exchange")) };
}

/** Buyers that suppress this caller: done once per auction. */
export async function buyersSuppressing(redis: Redis, callerHash: string): Promise<Set<string>> {
  return (await suppressionsOf(redis, callerHash)).buyers;
}
