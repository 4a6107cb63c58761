// Builds a benchmark market through the partner API: K buyers with a campaign each in a run-unique
// vertical, one seller with a campaign and a seller key, and an offer request factory.

import { randomUUID } from "node:crypto";
import http from "node:http";
import type { Req } from "./driver.ts";

export interface Market {
  vertical: string;
  candidates: number;
  sellerKey: string;
  sellerCampaignId: string;
  offer: (i: number) => Req;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function post(
  base: URL,
  path: string,
  key: string,
  body: unknown,
  idem?: string,
): Promise<Record<string, unknown>> {
  const data = JSON.stringify(body);
  const headers: Record<string, string> = {
    authorization: `Bearer ${key}`,
    "content-type": "application/json",
  };
  if (idem) headers["idempotency-key"] = idem;
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: base.hostname, port: base.port, method: "POST", path, headers, agent },
      (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => {
          if ((res.statusCode ?? 0) >= 300) reject(new Error(`${path}: ${res.statusCode} ${text}`));
          else resolve(JSON.parse(text) as Record<string, unknown>);
        });
      },
    );
    r.on("error", reject);
    r.end(data);
  });
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
