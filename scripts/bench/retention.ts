// What a finished call leaves in Redis, and whether Redis stays flat while calls keep flowing. Calls
// run their whole lifecycle through the API (offer, ringing, connected, completed), with an RTB buyer
// among the candidates so each auction has an AuctionActor document, and callers from a fixed pool
// (per-caller keys, bounded by their own windows, then scale with callers, not calls).
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { sendWithBackoff } from "./client.ts";
import { usedMemory } from "./redis-memory.ts";

const CALL_ID = /call_[0-9a-f]{28}/;
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

export interface RetentionMarket {
  sellerKey: string;
  sellerCampaignId: string;
  callers: string[];
  close(): void;
}

async function post(base: URL, path: string, key: string, body: unknown, idem = randomUUID()) {
  const res = await sendWithBackoff(agent, base, {
    method: "POST",
    path,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "idempotency-key": idem },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: JSON.parse(res.body || "{}") as Record<string, unknown> };
}

/** Five standing buyers and one RTB buyer (a loopback endpoint that declines), one seller. */
export async function retentionMarket(api: string, adminKey: string, pool = 500): Promise<RetentionMarket> {
  const base = new URL(api);
  const rtb = http.createServer((req, res) => {
    req.resume().on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"bidMicros":0,"reason":"bench"}');
    });
  });
  rtb.listen(0, "127.0.0.1");
  await once(rtb, "listening");
  const vertical = `ttl_${randomUUID().slice(0, 8)}`;
  const ok = async (p: Promise<{ status: number; body: Record<string, unknown> }>) => {
    const r = await p;
    if (r.status >= 300) throw new Error(`retention market: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  for (let i = 0; i < 6; i++) {
    const buyer = await ok(post(base, "/v1/buyers", adminKey, { name: `ttl ${i}`, creditLimitMicros: 1e12 }));
    const url = `http://127.0.0.1:${(rtb.address() as AddressInfo).port}/bid`;
    await ok(
      post(base, `/v1/buyers/${buyer.id}/campaigns`, adminKey, {
        name: `ttl ${i}`,
        vertical,
        states: [],
        bidMicros: 5_000_000 + i * 100_000,
        minDurationSec: 30,
        destination: { number: "+13059870000" },
        ...(i === 5 ? { rtb: { url, timeoutMs: 200 } } : {}),
      }),
    );
  }
  const seller = await ok(post(base, "/v1/sellers", adminKey, { name: "ttl seller" }));
  const campaign = await ok(
    post(base, `/v1/sellers/${seller.id}/campaigns`, adminKey, {
      name: "ttl source",
      vertical,
      reserveMicros: 1_000_000,
      auction: "second",
      maxAuctionMs: 300,
      payout: { type: "share", percent: 70 },
    }),
  );
  const key = await ok(post(base, "/v1/api-keys", adminKey, { accountId: seller.id, role: "seller" }));
  const callers = Array.from(
    { length: pool },
    (_, i) => `+1305${[2, 3, 4, 6, 7, 8, 9][i % 7]}${String(i).padStart(6, "0")}`,
  );
  return {
    sellerKey: String(key.key),
    sellerCampaignId: String(campaign.id),
    callers,
    close: () => rtb.close(),
  };
}

/** One call's whole life: offered, rang, connected, completed (billable). Returns its id when routed. */
async function oneCall(api: URL, m: RetentionMarket, i: number): Promise<string | undefined> {
  const offer = await post(api, "/v1/calls", m.sellerKey, {
    sellerCampaignId: m.sellerCampaignId,
    callerNumber: m.callers[i % m.callers.length],
    callerState: "FL",
  });
  const callId = offer.body.callId as string | undefined;
  if (offer.status !== 201 || offer.body.status !== "routed" || !callId) return callId;
  for (const body of [{ type: "ringing" }, { type: "connected" }, { type: "completed", durationSec: 60 }]) {
    await post(api, `/v1/calls/${callId}/events`, m.sellerKey, body);
  }
  return callId;
}

/** Runs calls at `concurrency` until `count` are done or `untilMs` passes; returns their ids. */
export async function runCalls(
  api: string,
  m: RetentionMarket,
  opts: { count?: number; untilMs?: number; concurrency: number; from: number },
): Promise<string[]> {
  const base = new URL(api);
  const ids: string[] = [];
  let next = opts.from;
  const more = () =>
    (opts.count === undefined || next - opts.from < opts.count) &&
    (opts.untilMs === undefined || Date.now() < opts.untilMs);
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (more()) {
        const id = await oneCall(base, m, next++).catch(() => undefined);
        if (id) ids.push(id);
      }
    }),
  );
  return ids;
}

/** Redis bytes (MEMORY USAGE) of every key naming one of `ids`, by key family. */
export async function bytesNaming(redis: Redis, ids: Set<string>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const keys of redis.scanStream({ count: 2000 })) {
    for (const k of keys as string[]) {
      const id = CALL_ID.exec(k)?.[0];
      if (!id || !ids.has(id)) continue;
      const family = k.replace(id, "{call}").replace(/(byr|sel)_[0-9a-f]+/g, "{$1}");
      out[family] = (out[family] ?? 0) + ((await redis.memory("USAGE", k)) ?? 0);
    }
  }
  return out;
}

export interface RetentionReport {
  calls: number;
  /** The retention the stack runs with, as seen on a just-finished call's document (its remaining life). */
  retentionSec: number;
  /** Bytes of keys naming the calls, per finished call, by key family: just after each batch of calls
   * ended (well within the retention), and once the retention has passed. */
  beforeExpiry: Record<string, number>;
  afterExpiry: Record<string, number>;
  beforeBytesPerCall: number;
  afterBytesPerCall: number;
  /** Call documents present when their batch was measured (all, unless a batch outlasted the retention). */
  docsMeasured: number;
  /** used_memory growth per call from before the calls to after their retention (everything). */
  usedMemoryPerCallAfter: number;
  /** The same without the event stream's growth (its trimming is the stream's own bound). */
  usedMemoryPerCallAfterNoStream: number;
}

const BATCH = 40;
const perCall = (fam: Record<string, number>, n: number) =>
  Object.fromEntries(Object.entries(fam).map(([k, v]) => [k, Math.round(v / n)]));
const total = (fam: Record<string, number>) => Object.values(fam).reduce((a, b) => a + b, 0);
const docKey = (id: string) => `exchange-actors||CallActor||${id}||doc`;

/**
 * Runs `count` calls in batches, measuring what each batch left right after it (so before its
 * retention ends), then waits out the retention and measures all of them again.
 */
export async function measureRetention(
  api: string,
  adminKey: string,
  count: number,
): Promise<RetentionReport> {
  const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
  const m = await retentionMarket(api, adminKey);
  try {
    const start = await usedMemory(redis);
    const ids: string[] = [];
    const before: Record<string, number> = {};
    let retentionMs = 0;
    let docsMeasured = 0;
    for (let tried = 0; tried < count; tried += BATCH) {
      const batch = await runCalls(api, m, {
        count: Math.min(BATCH, count - tried),
        concurrency: 8,
        from: tried,
      });
      for (const [k, v] of Object.entries(await bytesNaming(redis, new Set(batch))))
        before[k] = (before[k] ?? 0) + v;
      const ttls = await Promise.all(batch.map((id) => redis.pttl(docKey(id))));
      retentionMs = Math.max(retentionMs, ...ttls);
      docsMeasured += ttls.filter((t) => t > 0).length;
      ids.push(...batch);
    }
    const n = Math.max(1, ids.length);
    if (retentionMs > 600_000)
      throw new Error(
        `the stack keeps finished calls ${retentionMs} ms: run it with DCE_CALL_RETENTION_SEC ≤ 600`,
      );
    await new Promise((r) => setTimeout(r, retentionMs + 3_000)); // past it, and Redis's expiry cycle
    const after = await bytesNaming(redis, new Set(ids));
    const end = await usedMemory(redis);
    return {
      calls: ids.length,
      retentionSec: Math.round(retentionMs / 1000),
      beforeExpiry: perCall(before, n),
      afterExpiry: perCall(after, n),
      beforeBytesPerCall: Math.round(total(before) / n),
      afterBytesPerCall: Math.round(total(after) / n),
      docsMeasured,
      usedMemoryPerCallAfter: Math.round((end.used - start.used) / n),
      usedMemoryPerCallAfterNoStream: Math.round((end.used - end.stream - (start.used - start.stream)) / n),
    };
  } finally {
    m.close();
    redis.disconnect();
  }
}
