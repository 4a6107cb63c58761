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
import { LuaScript } from "../platform/lua-script.ts";
import type { Redis } from "../platform/redis.ts";
import {
  type DocumentStore,
  type EntriesWrite,
  type Expiry,
  StoreConflict,
  type StoredRead,
} from "./document-store.ts";

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

// The same two, for a document with an entries hash (KEYS[2]): a changed document comes back with the
// hash's fields (HGETALL, flat); a write also applies ARGV[4] field/value pairs (HSET) and deletes the
// fields after them (HDEL), and the hash takes the document's expiry.
const READ_WITH_ENTRIES = `
local v = redis.call("HGET", KEYS[1], "version") or ""
if ARGV[1] ~= "" and v == ARGV[1] then return {v} end
return {v, redis.call("HGET", KEYS[1], "data") or "", redis.call("HGETALL", KEYS[2])}`;

const CAS_WITH_ENTRIES = `
local v = redis.call("HGET", KEYS[1], "version") or ""
if v ~= ARGV[1] then return {0, v} end
redis.call("HSET", KEYS[1], "data", ARGV[2])
local n = redis.call("HINCRBY", KEYS[1], "version", 1)
local sets = tonumber(ARGV[4])
local i = 5
while i < 5 + 2 * sets do
  redis.call("HSET", KEYS[2], ARGV[i], ARGV[i + 1])
  i = i + 2
end
for j = i, #ARGV do redis.call("HDEL", KEYS[2], ARGV[j]) end
if ARGV[3] == "" then
  redis.call("PERSIST", KEYS[1])
  redis.call("PERSIST", KEYS[2])
else
  redis.call("PEXPIREAT", KEYS[1], ARGV[3])
  redis.call("PEXPIREAT", KEYS[2], ARGV[3])
end
return {1, tostring(n)}`;

const SCRIPTS = {
  read: new LuaScript(READ),
  cas: new LuaScript(CAS),
  readEntries: new LuaScript(READ_WITH_ENTRIES),
  casEntries: new LuaScript(CAS_WITH_ENTRIES),
};

export class RedisDocumentStore implements DocumentStore {
  constructor(private readonly redis: Redis) {}

  async read(key: string, known?: string | null, entriesKey?: string): Promise<StoredRead> {
    if (entriesKey !== undefined) return this.readWithEntries(key, known, entriesKey);
    const [version = "", data] = await SCRIPTS.read.run<string[]>(this.redis, [key], [known ?? ""]);
    if (data === undefined) return { unchanged: true, version };
    return version === ""
      ? { unchanged: false, text: null, version: null }
      : { unchanged: false, text: data, version };
  }

  private async readWithEntries(key: string, known: string | null | undefined, entriesKey: string) {
    const [version = "", data, flat = []] = await SCRIPTS.readEntries.run<[string, string?, string[]?]>(
      this.redis,
      [key, entriesKey],
      [known ?? ""],
    );
    if (data === undefined) return { unchanged: true as const, version };
    if (version === "") return { unchanged: false as const, text: null, version: null, entries: {} };
    const entries: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) entries[flat[i]!] = flat[i + 1]!;
    return { unchanged: false as const, text: data, version, entries };
  }

  async write(
    key: string,
    expected: string | null,
    text: string,
    expiry?: Expiry | null,
    entries?: EntriesWrite,
  ): Promise<string> {
    if (entries) return this.writeWithEntries(key, expected, text, expiry, entries);
    const keys = [key, ...(expiry?.also ?? [])];
    const at = expiry ? String(Math.ceil(expiry.atMs)) : "";
    const [done, version] = await SCRIPTS.cas.run<[number, string]>(this.redis, keys, [
      expected ?? "",
      text,
      at,
    ]);
    if (done !== 1) throw new StoreConflict(key, expected, version === "" ? null : version);
    return version;
  }

  private async writeWithEntries(
    key: string,
    expected: string | null,
    text: string,
    expiry: Expiry | null | undefined,
    entries: EntriesWrite,
  ): Promise<string> {
    if (expiry?.also?.length) throw new Error("a document with entries expires alone (no `also` keys)");
    const at = expiry ? String(Math.ceil(expiry.atMs)) : "";
    const args = [
      expected ?? "",
      text,
      at,
      String(entries.set.length),
      ...entries.set.flat(),
      ...entries.del,
    ];
    const [done, version] = await SCRIPTS.casEntries.run<[number, string]>(
      this.redis,
      [key, entries.key],
      args,
    );
    if (done !== 1) throw new StoreConflict(key, expected, version === "" ? null : version);
    return version;
  }
}
