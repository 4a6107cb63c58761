// Actor documents straight in the hash daprd's Redis actor state store keeps, with the compare-and-set
// done atomically by one Lua script: one Redis round trip per read or write, no sidecar crossing.
//
// Layout (components-contrib v1.18.2 state/redis, setDefaultQuery run in a MULTI for actor state
// transactions): key `<app-id>||<ActorType>||<id>||<state key>`, a hash with `data` (the value's JSON
// text) and `version` (HINCRBY by 1 per write, from 1). `first-write` is set only for first-write
// concurrency, which actor state never uses; a TTL (EXPIRE) only with ttlInSeconds, which the
// ActorStateTTL feature would allow and sidecar-components/configuration.yaml keeps off. Writing the
// same two fields the same way keeps the sidecar's own reads (GET …/actors/<type>/<id>/state/doc) valid.
import type { Redis } from "../platform/redis.ts";
import { type DocumentStore, StoreConflict, type StoredRead } from "./document-store.ts";

// ARGV[1]: the version the caller knows ("" for none). Returns {version} alone when it is unchanged,
// else {version or "", data or ""}; a missing hash reads as version "".
const READ = `
local v = redis.call("HGET", KEYS[1], "version") or ""
if ARGV[1] ~= "" and v == ARGV[1] then return {v} end
return {v, redis.call("HGET", KEYS[1], "data") or ""}`;

// ARGV[1]: expected version ("" for no document yet), ARGV[2]: the new JSON text.
// Returns {1, new version} or {0, the version found}.
const CAS = `
local v = redis.call("HGET", KEYS[1], "version") or ""
if v ~= ARGV[1] then return {0, v} end
redis.call("HSET", KEYS[1], "data", ARGV[2])
return {1, tostring(redis.call("HINCRBY", KEYS[1], "version", 1))}`;

type WithScripts = Redis & {
  dceDocRead(key: string, known: string): Promise<string[]>;
  dceDocCas(key: string, expected: string, text: string): Promise<[number, string]>;
};

export class RedisDocumentStore implements DocumentStore {
  private readonly redis: WithScripts;

  constructor(redis: Redis) {
    // defineCommand sends EVALSHA (falling back to EVAL once per connection when the script is new).
    if (!("dceDocRead" in redis)) {
      redis.defineCommand("dceDocRead", { numberOfKeys: 1, lua: READ });
      redis.defineCommand("dceDocCas", { numberOfKeys: 1, lua: CAS });
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

  async write(key: string, expected: string | null, text: string): Promise<string> {
    const [done, version] = await this.redis.dceDocCas(key, expected ?? "", text);
    if (done !== 1) throw new StoreConflict(key, expected, version === "" ? null : version);
    return version;
  }
}
