// Shared helpers for the compliance e2e tests: the test clock and the API replica that runs on it,
// offers, buyer keys, direct Redis and Postgres handles.
import { Redis } from "ioredis";
import postgres from "postgres";
import { call, uniq } from "./client.ts";
import { startReplica } from "./replica.ts";
import type { TestClock } from "./test-clock.ts";

export { baseInstant, TestClock } from "./test-clock.ts";

/** An in-process API replica (the real app on the stack's Redis, Postgres and sidecar) on `clock`. */
export async function clockedApi(clock: TestClock) {
  return startReplica({}, clock.now);
}

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

/** Offers a call through the API at `base` (the clocked replica); `idempotencyKey` repeats an offer. */
export async function offerAt(
  base: string,
  seller: { key: string; sellerCampaignId: string },
  callerNumber: string,
  extra: Record<string, unknown> = {},
  idempotencyKey: string = uniq(),
): Promise<{ status: number; body: Decision }> {
  const res = await fetch(`${base}/v1/calls`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${seller.key}`,
      "idempotency-key": idempotencyKey,
    },
    body: JSON.stringify({
      sellerCampaignId: seller.sellerCampaignId,
      callerNumber,
      callerState: "FL",
      ...extra,
    }),
  });
  return { status: res.status, body: (await res.json()) as Decision };
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
