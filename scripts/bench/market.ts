// Builds a benchmark market through the partner API: K buyers with a campaign each in a run-unique
// vertical, one seller with a campaign and a seller key, and an offer request factory. The partner
// API has no batch create for buyers or campaigns, so it is one call each, backing off on 429.

import { randomUUID } from "node:crypto";
import http from "node:http";
import { sendWithBackoff } from "./client.ts";
import type { Req } from "./driver.ts";

export interface Market {
  vertical: string;
  candidates: number;
  sellerKey: string;
  sellerCampaignId: string;
  offer: (i: number) => Req;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

let retried = 0;

/** POSTs JSON as `key`; retried (same idempotency key) after the wait a 429/503 asks for. */
async function post(base: URL, path: string, key: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await sendWithBackoff(
    agent,
    base,
    {
      method: "POST",
      path,
      headers: {
        authorization: `Bearer ${key}`,
        "content-type": "application/json",
        "idempotency-key": `bench-market-${randomUUID()}`,
      },
      body: JSON.stringify(body),
    },
    {
      onRetry: (status, waitMs) => {
        if (retried++ % 100 === 0) console.log(`[bench] ${path}: ${status}, backing off ${waitMs} ms`);
      },
    },
  );
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${res.body}`);
  return JSON.parse(res.body) as Record<string, unknown>;
}

async function inBatches<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += width) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, j) => fn(i + j)))));
  }
  return out;
}

/** A random valid NANP caller (exchange 2-9 but not 5, so never the fictional 555-01XX block). */
export function callerNumber(i: number): string {
  const first = [2, 3, 4, 6, 7, 8, 9][i % 7];
  return `+1305${first}${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
}

export async function buildMarket(baseUrl: string, adminKey: string, candidates: number): Promise<Market> {
  const base = new URL(baseUrl);
  const vertical = `bench_${randomUUID().slice(0, 8)}`;
  await inBatches(candidates, 16, async (i) => {
    const buyer = await post(base, "/v1/buyers", adminKey, {
      name: `bench buyer ${i}`,
      creditLimitMicros: 1e12,
    });
    await post(base, `/v1/buyers/${buyer.id}/campaigns`, adminKey, {
      name: `bench ${i}`,
      vertical,
      states: [],
      // Spread bids so the ranking has work to do; no caps, no duplicate window.
      bidMicros: 5_000_000 + ((i * 7919) % 1000) * 10_000,
      minDurationSec: 60,
      priority: 1 + (i % 3),
      weight: 1 + (i % 5),
      destination: { number: "+13059870000" },
    });
  });
  const seller = await post(base, "/v1/sellers", adminKey, { name: "bench seller" });
  const campaign = await post(base, `/v1/sellers/${seller.id}/campaigns`, adminKey, {
    name: "bench source",
    vertical,
    reserveMicros: 1_000_000,
    auction: "second",
    payout: { type: "share", percent: 70 },
    routingTtlSec: 5,
  });
  const key = await post(base, "/v1/api-keys", adminKey, { accountId: seller.id, role: "seller" });
  const sellerKey = String(key.key);
  const sellerCampaignId = String(campaign.id);
  const runId = randomUUID().slice(0, 8);
  return {
    vertical,
    candidates,
    sellerKey,
    sellerCampaignId,
    offer: (i) => ({
      method: "POST",
      path: "/v1/calls",
      headers: {
        authorization: `Bearer ${sellerKey}`,
        "content-type": "application/json",
        "idempotency-key": `bench-${runId}-${i}`,
      },
      body: JSON.stringify({ sellerCampaignId, callerNumber: callerNumber(i), callerState: "FL" }),
    }),
  };
}
