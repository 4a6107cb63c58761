// A small HTTP client for e2e tests, plus builders for the accounts and campaigns a scenario needs.
import { randomUUID } from "node:crypto";
import { API, adminKey } from "./stack.ts";

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; idempotencyKey?: string; raw?: string } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const key = opts.key ?? adminKey();
  if (key) headers.authorization = `Bearer ${key}`;
  if (opts.idempotencyKey) headers["idempotency-key"] = opts.idempotencyKey;
  const res = await fetch(`${API}${path}`, {
    method,
    headers,
    body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
}

export const uniq = () => randomUUID();

export async function createBuyer(deposit = 100_000_000, creditLimitMicros = 0) {
  const buyer = await call<{ id: string }>("POST", "/v1/buyers", {
    body: { name: `Buyer ${uniq()}`, creditLimitMicros },
  });
  if (buyer.status !== 201) throw new Error(`create buyer: ${buyer.status} ${JSON.stringify(buyer.body)}`);
  if (deposit > 0) {
    const d = await call("POST", `/v1/buyers/${buyer.body.id}/deposits`, {
      body: { amountMicros: deposit },
      idempotencyKey: uniq(),
    });
    if (d.status !== 201) throw new Error(`deposit: ${d.status} ${JSON.stringify(d.body)}`);
  }
  return buyer.body.id;
}

export async function createBuyerCampaign(buyerId: string, overrides: Record<string, unknown> = {}) {
  const res = await call<{ id: string }>("POST", `/v1/buyers/${buyerId}/campaigns`, {
    body: {
      name: "e2e target",
      vertical: "e2e_vertical",
      states: ["FL"],
      bidMicros: 20_000_000,
      minDurationSec: 60,
      destination: { number: "+13059870000" },
      caps: {},
      ...overrides,
    },
  });
  if (res.status !== 201) throw new Error(`create buyer campaign: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

export async function createSeller(campaign: Record<string, unknown> = {}) {
  const seller = await call<{ id: string }>("POST", "/v1/sellers", { body: { name: `Seller ${uniq()}` } });
  if (seller.status !== 201)
    throw new Error(`create seller: ${seller.status} ${JSON.stringify(seller.body)}`);
  const sc = await call<{ id: string }>("POST", `/v1/sellers/${seller.body.id}/campaigns`, {
    body: {
      name: "e2e source",
      vertical: "e2e_vertical",
      reserveMicros: 5_000_000,
      auction: "first",
      payout: { type: "share", percent: 60 },
      ...campaign,
    },
  });
  if (sc.status !== 201) throw new Error(`create seller campaign: ${sc.status} ${JSON.stringify(sc.body)}`);
  const key = await call<{ key: string }>("POST", "/v1/api-keys", {
    body: { accountId: seller.body.id, role: "seller" },
  });
  if (key.status !== 201) throw new Error(`create key: ${key.status} ${JSON.stringify(key.body)}`);
  return { sellerId: seller.body.id, sellerCampaignId: sc.body.id, key: key.body.key };
}

/** Offers a call from a seller's campaign: a random caller in Florida unless `body` says otherwise. */
export function offerCall<T = Record<string, unknown>>(
  seller: { key: string; sellerCampaignId: string },
  body: Record<string, unknown> = {},
) {
  return call<T>("POST", "/v1/calls", {
    key: seller.key,
    idempotencyKey: uniq(),
    body: {
      sellerCampaignId: seller.sellerCampaignId,
      callerNumber: randomCaller(),
      callerState: "FL",
      ...body,
    },
  });
}

/** A random valid NANP number (exchange and line avoid the fictional 555-01XX block). */
export function randomCaller(areaCode = "305"): string {
  const n = () => Math.floor(Math.random() * 10);
  const first = [2, 3, 4, 6, 7, 8, 9][Math.floor(Math.random() * 7)];
  return `+1${areaCode}${first}${n()}${n()}${n()}${n()}${n()}${n()}`;
}

/** Polls `probe` until `done` holds or the time is up (then returns the last value for the assertion). */
export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}
