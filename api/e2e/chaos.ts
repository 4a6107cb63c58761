// Chaos helpers for e2e tests: find and kill stack processes, retry through outages with the same
// idempotency keys, run billable call flows and check that every call was charged exactly once.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { expect } from "vitest";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller, uniq } from "./client.ts";
import { STATE_DIR, sidecarHeaders } from "./stack.ts";

export const sql = postgres("postgres://dce:dce@127.0.0.1:5433/dce", { max: 2, onnotice: () => undefined });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function pidOf(name: string): number {
  const stack = JSON.parse(readFileSync(join(STATE_DIR, "stack.json"), "utf8")) as {
    processes?: Record<string, number>;
  };
  const pid = stack.processes?.[name];
  if (!pid) throw new Error(`no pid for ${name} in stack.json`);
  return pid;
}

/** Kills a stack process and waits until the launcher has started a new one. */
export async function crash(name: string): Promise<void> {
  const before = pidOf(name);
  process.kill(before, "SIGKILL");
  for (let i = 0; i < 80 && pidOf(name) === before; i++) await sleep(250);
  expect(pidOf(name)).not.toBe(before);
}

/** A request retried through transient failures (503 while a sidecar restarts) with the same keys. */
export async function retried<T>(fn: () => Promise<{ status: number; body: T }>, ok: (s: number) => boolean) {
  for (let i = 0; ; i++) {
    const r = await fn().catch(() => ({ status: 599, body: undefined as T }));
    if (ok(r.status) || i >= 240) return r; // up to two minutes: the stack must recover by itself
    await sleep(500);
  }
}

export async function billableFlow(seller: { key: string; sellerCampaignId: string }): Promise<string> {
  const idem = uniq();
  const body = { sellerCampaignId: seller.sellerCampaignId, callerNumber: randomCaller(), callerState: "FL" };
  const offer = await retried(
    () =>
      call<{ callId: string; status: string }>("POST", "/v1/calls", {
        key: seller.key,
        idempotencyKey: idem,
        body,
      }),
    (s) => s === 201,
  );
  expect(offer.body.status).toBe("routed");
  const events = `/v1/calls/${offer.body.callId}/events`;
  for (const ev of [{ type: "connected" }, { type: "completed", durationSec: 95 }]) {
    const key = `${idem}-${ev.type}`;
    const r = await retried(
      () => call("POST", events, { key: seller.key, idempotencyKey: key, body: ev }),
      (s) => s === 200,
    );
    expect(r.status).toBe(200);
  }
  return offer.body.callId;
}

export async function assertChargedOnce(buyerId: string, callIds: string[], price: number) {
  let rows: { reference: string; n: number }[] = [];
  for (let i = 0; i < 160; i++) {
    rows = await sql<{ reference: string; n: number }[]>`
      select reference, count(*)::int as n from ledger_postings
      where kind = 'charge' and reference = any(${callIds}) group by reference`;
    if (rows.length === callIds.length) break;
    await sleep(500);
  }
  expect(rows).toHaveLength(callIds.length);
  expect(rows.every((r) => r.n === 1)).toBe(true);
  const [ledger] = await sql<{ sum: string }[]>`
    select coalesce(sum(amount_micros), 0)::text as sum from ledger_entries where account_id = ${`buyer:${buyerId}`}`;
  expect(-Number(ledger!.sum)).toBe(1_000_000_000 - callIds.length * price);
  // Read through the tail of the outage (503 while placement still points at the killed host).
  const actor = await retried(
    () => call<{ balanceMicros: number; reservedMicros: number }>("GET", `/v1/buyers/${buyerId}/balance`),
    (s) => s === 200,
  );
  expect(actor.body).toMatchObject({ balanceMicros: -Number(ledger!.sum), reservedMicros: 0 });
  const [trial] = await sql<{ total: string; unbalanced: number }[]>`
    select (select coalesce(sum(amount_micros), 0) from ledger_entries)::text as total,
           (select count(*)::int from (select posting_id from ledger_entries group by posting_id
              having sum(amount_micros) <> 0) u) as unbalanced`;
  expect(trial).toEqual({ total: "0", unbalanced: 0 });
}

export async function market() {
  const vertical = `v_${uniq().slice(0, 8)}`;
  const buyer = await createBuyer(1_000_000_000);
  await createBuyerCampaign(buyer, {
    vertical,
    bidMicros: 15_000_000,
    minDurationSec: 60,
    caps: { concurrency: 100 },
  });
  // Routing instructions outlive the outage, so a call held up by it is still valid when it arrives.
  const seller = await createSeller({ vertical, reserveMicros: 1_000_000, routingTtlSec: 600 });
  return { buyer, seller };
}

/**
 * After a crash test: wait until the stack is whole again (every sidecar healthy, actor calls answered
 * five times in a row, so placement has settled) before the next test runs.
 */
export async function untilRecovered(timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const sidecars = [3501, 3511, 3502, 3503];
  let streak = 0;
  while (Date.now() < deadline && streak < 5) {
    const healthy = await Promise.all(
      sidecars.map((p) =>
        fetch(`http://127.0.0.1:${p}/v1.0/healthz`, { signal: AbortSignal.timeout(2_000) })
          .then((r) => r.ok)
          .catch(() => false),
      ),
    );
    const ping = await fetch(`http://127.0.0.1:3502/v1.0/actors/BenchActor/recovery-${streak}/method/ping`, {
      method: "POST",
      headers: sidecarHeaders(),
      signal: AbortSignal.timeout(2_000),
    })
      .then((r) => r.ok)
      .catch(() => false);
    streak = healthy.every(Boolean) && ping ? streak + 1 : 0;
    await sleep(200);
  }
  expect(streak, "the stack recovered after the crash").toBe(5);
}
