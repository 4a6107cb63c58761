// Actor documents straight in the hash daprd's Redis actor state store keeps, with the compare-and-set
// done atomically by one Lua script: one Redis round trip per read or write, no sidecar crossing.
//
// Layout (components-contrib v1.18.2 state/redis, setDefaultQuery run in a MULTI for actor state
// transactions): key `<app-id>||<ActorType>||<id>||<state key>`, a hash with `data` (the value's JSON
// text) and `version` (HINCRBY by 1 per write, from 1). `first-write` is set only for first-write
// concurrency, which actor state never uses; a TTL (EXPIRE) only with ttlInSeconds under the
// ActorStateTTL feature. Our expiry is the same Redis key expiry, set by the write itself (PEXPIREAT
// in the compare-and-set script, so a document and its deadline change together): daprd's TTL cannot
// be used because daprd never writes these documents. Writing the same two fields the same way keeps
// the sidecar's own reads (GET …/actors/<type>/<id>/state/doc) valid.
import type { Redis } from "../platform/redis.ts";
import { type DocumentStore, type Expiry, StoreConflict, type StoredRead } from "./document-store.ts";

// ARGV[1]: the version the caller knows ("" for none). Returns {version} alone when it is unchanged,
// else {version or "", data or ""}; a missing hash reads as version "".
const READ = `
local v = redis.call("HGET", KEYS[1], "version") or ""
if ARGV[1] ~= "" and v == ARGV[1] then return {v} end
return {v, redis.call("HGET", KEYS[1], "data") or ""}`;

// KEYS[1]: the document, KEYS[2..]: keys whose lifetime ends with it. ARGV[1]: expected version ("" for
// no document yet), ARGV[2]: the new JSON text, ARGV[3]: when they all expire (epoch ms; "" for never:
// PERSIST, so the latest write always says; the other keys' expiry is only ever brought forward, LT).
// Returns {1, new version} or {0, the version found}.
// HSET keeps a hash's expiry, so a deadline stays until a write changes it.
const CAS = `
local v = redis.call("HGET", KEYS[1], "version") or ""
if v ~= ARGV[1] then return {0, v} end
redis.call("HSET", KEYS[1], "data", ARGV[2])
local n = redis.call("HINCRBY", KEYS[1], "version", 1)
if ARGV[3] == "" then
  redis.call("PERSIST", KEYS[1])
else
  redis.call("PEXPIREAT", KEYS[1], ARGV[3])
  for i = 2, #KEYS do redis.call("PEXPIREAT", KEYS[i], ARGV[3], "LT") end
end
return {1, tostring(n)}`;

type WithScripts = Redis & {
  dceDocRead(key: string, known: string): Promise<string[]>;
  dceDocCas(numKeys: number, ...keysThenArgs: string[]): Promise<[number, string]>;
};

export class RedisDocumentStore implements DocumentStore {
  private readonly redis: WithScripts;

  constructor(redis: Redis) {
    // defineCommand sends EVALSHA (falling back to EVAL once per connection when the script is new).
    if (!("dceDocRead" in redis)) {
      redis.defineCommand("dceDocRead", { numberOfKeys: 1, lua: READ });
      redis.defineCommand("dceDocCas", { lua: CAS }); // key count given per call
    }
    this.redis = redis as WithScripts;
  }

  async read(key: string, known?: string | null): Promise<StoredRead> {
    const [version = "", data] = await this.redis.dceDocRead(key, known ?? "");
    if (data === undefined) return { unchanged: true, version };
    return version === ""
      ? { unchanged: false, text: null, version: null }
      : { unchanged: false, text: data, version };
  }

  async write(key: string, expected: string | null, text: string, expiry?: Expiry | null): Promise<string> {
    const keys = [key, ...(expiry?.also ?? [])];
    const at = expiry ? String(Math.ceil(expiry.atMs)) : "";
    const [done, version] = await this.redis.dceDocCas(keys.length, ...keys, expected ?? "", text, at);
    if (done !== 1) throw new StoreConflict(key, expected, version === "" ? null : version);
    return version;
  }
}
