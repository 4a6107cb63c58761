// Shared helpers for the compliance e2e tests: offers, buyer keys, direct Redis and Postgres handles.
import { Redis } from "ioredis";
import postgres from "postgres";
import { call, uniq } from "./client.ts";

export type Decision = {
  callId: string;
  status: string;
  buyerId?: string;
  reason?: { code: string; detail: string };
};

export const vertical = () => `v_${uniq().slice(0, 8)}`;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function offer(
  seller: { key: string; sellerCampaignId: string },
  callerNumber: string,
  extra: Record<string, unknown> = {},
) {
  return call<Decision>("POST", "/v1/calls", {
    key: seller.key,
    idempotencyKey: uniq(),
    body: { sellerCampaignId: seller.sellerCampaignId, callerNumber, callerState: "FL", ...extra },
  });
}

export async function buyerKey(buyerId: string): Promise<string> {
  const res = await call<{ key: string }>("POST", "/v1/api-keys", {
    body: { accountId: buyerId, role: "buyer" },
  });
  if (res.status !== 201) throw new Error(`buyer key: ${res.status}`);
  return res.body.key;
}

export async function complete(sellerKey: string, callId: string, durationSec: number) {
  await call("POST", `/v1/calls/${callId}/events`, { key: sellerKey, body: { type: "connected" } });
  const done = await call("POST", `/v1/calls/${callId}/events`, {
    key: sellerKey,
    body: { type: "completed", durationSec },
  });
  if (done.status !== 200) throw new Error(`complete: ${done.status} ${JSON.stringify(done.body)}`);
}

/** Polls until `check` returns a value, for what arrives through pub/sub. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(200);
  }
}

export const redisClient = () => new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
export const sqlClient = () =>
  postgres(process.env.DATABASE_URL ?? "postgres://dce:dce@127.0.0.1:5433/dce", {
    max: 2,
    onnotice: () => {},
  });
