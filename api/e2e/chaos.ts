// Chaos helpers for e2e tests: find and kill stack processes, arm the test-only crash points and see
// them fire, retry through outages with the same idempotency keys, run billable call flows and check
// that every call was charged exactly once.
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { expect } from "vitest";
import {
  armCrash,
  type CrashPoint,
  type CrashRecord,
  firedCrash,
} from "../../actors/platform/crash-points.ts";
import { call, randomCaller, uniq } from "./client.ts";
import { freshMarket } from "./market.ts";
import { CRASH_DIR, STATE_DIR, sidecarHeaders } from "./stack.ts";

export const sql = postgres("postgres://dce:dce@127.0.0.1:5433/dce", { max: 2, onnotice: () => undefined });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stack's processes (name -> pid) as the launcher last wrote them. */
export function stackPids(): Record<string, number> {
  const stack = JSON.parse(readFileSync(join(STATE_DIR, "stack.json"), "utf8")) as {
    processes?: Record<string, number>;
  };
  return stack.processes ?? {};
}

export function pidOf(name: string): number {
  const pid = stackPids()[name];
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

/** The call id the API gives an offer (api/routes/calls.ts), known before the offer is made. */
export const callIdOf = (sellerId: string, idempotencyKey: string) =>
  `call_${createHash("sha256").update(`${sellerId}\u0000${idempotencyKey}`).digest("hex").slice(0, 28)}`;

type Seller = { key: string; sellerId: string; sellerCampaignId: string };

/** Offers a call (retried through outages with the same key) and expects it routed. */
export async function offerRouted(seller: Seller, idem: string): Promise<string> {
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
  expect(offer.body.callId).toBe(callIdOf(seller.sellerId, idem));
  return offer.body.callId;
}

/** Sends one call event (retried through outages with the same key) and expects it applied. */
export async function callEvent(seller: Seller, callId: string, idem: string, ev: Record<string, unknown>) {
  const r = await retried(
    () =>
      call("POST", `/v1/calls/${callId}/events`, {
        key: seller.key,
        idempotencyKey: `${idem}-${ev.type}`,
        body: ev,
      }),
    (s) => s === 200,
  );
  expect(r.status).toBe(200);
}

export const CONNECTED = { type: "connected" };
export const COMPLETED = { type: "completed", durationSec: 95 };

export async function billableFlow(seller: Seller): Promise<string> {
  const idem = uniq();
  const callId = await offerRouted(seller, idem);
  for (const ev of [CONNECTED, COMPLETED]) await callEvent(seller, callId, idem, ev);
  return callId;
}

/** Arms a crash point for one subject; answers the stack's pids at that moment. */
export function arm(point: CrashPoint, match: string): Record<string, number> {
  const pids = stackPids();
  // The apps must run with crash points on (a stack the tests started): else nothing could fire.
  for (const name of ["exchange-actors", "exchange-actors-2", "exchange-events"]) {
    const environ = readFileSync(`/proc/${pids[name]}/environ`, "utf8").split("\0");
    expect(environ, `${name} runs with crash points on`).toContain(`DCE_CRASH_POINTS_DIR=${CRASH_DIR}`);
  }
  armCrash(CRASH_DIR, point, match);
  return pids;
}

/**
 * The armed point fired: a process among `before` recorded it and died there (its pid is gone), and
 * the launcher started it again. Answers the record and the name of the process that died.
 */
export async function firedAndRestarted(point: CrashPoint, before: Record<string, number>) {
  let record: CrashRecord | null = null;
  for (let i = 0; i < 240 && !record; i++) {
    record = firedCrash(CRASH_DIR, point);
    if (!record) await sleep(250);
  }
  expect(record, `${point} fired`).not.toBeNull();
  const name = Object.entries(before).find(([, pid]) => pid === record!.pid)?.[0];
  expect(name, `the process that fired ${point} is one of the stack's`).toBeDefined();
  for (let i = 0; i < 120 && stackPids()[name!] === record!.pid; i++) await sleep(250);
  expect(stackPids()[name!], `${name} restarted`).not.toBe(record!.pid);
  expect(() => process.kill(record!.pid, 0), `pid ${record!.pid} is gone`).toThrow();
  return { record: record!, name: name! };
}

/** The JSON log lines with message `msg` in a stack process's log (every run of it so far). */
export function logLines(name: string, msg: string): Record<string, unknown>[] {
  return readFileSync(join(STATE_DIR, "logs", `${name}.log`), "utf8")
    .split("\n")
    .filter((l) => l.includes(`"msg":"${msg}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export interface EventRow {
  eventId: string;
  type: string;
  occurredAt: Date;
  recordedAt: Date;
}

/** The domain events recorded about a call: its own and the buyer's holds on it. */
export function eventsOfCall(callId: string): Promise<EventRow[]> {
  return sql<EventRow[]>`
    select event_id as "eventId", type, occurred_at as "occurredAt", recorded_at as "recordedAt"
    from domain_events where aggregate_id = ${callId} or data->>'callId' = ${callId} order by seq`;
}

/** The one recorded event of a type (exactly one, waited for while pub/sub delivers it). */
export async function oneEvent(callId: string, type: string): Promise<EventRow> {
  let rows: EventRow[] = [];
  for (let i = 0; i < 120 && rows.length === 0; i++) {
    rows = (await eventsOfCall(callId)).filter((r) => r.type === type);
    if (rows.length === 0) await sleep(250);
  }
  expect(rows.map((r) => r.type)).toEqual([type]);
  return rows[0]!;
}

export async function assertAuditVerifies() {
  const r = await call<{ ok: boolean }>("GET", "/v1/audit/verify");
  expect(r.status).toBe(200);
  expect(r.body.ok).toBe(true);
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
  const { buyerId: buyer, seller } = await freshMarket({
    deposit: 1_000_000_000,
    buyer: { bidMicros: 15_000_000, minDurationSec: 60, caps: { concurrency: 100 } },
    // Routing instructions outlive the outage, so a call held up by it is still valid when it arrives.
    seller: { reserveMicros: 1_000_000, routingTtlSec: 600 },
  });
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
    // A fresh actor through every sidecar, both actor hosts' included: each id lands on a host the
    // placement table picks, so five rounds reach both hosts, and a sidecar whose table stayed locked
    // (a frozen dissemination) answers none of them.
    const pings = await Promise.all(
      sidecars.map((p) =>
        fetch(`http://127.0.0.1:${p}/v1.0/actors/BenchActor/recovery-${randomUUID()}/method/ping`, {
          method: "POST",
          headers: sidecarHeaders(),
          signal: AbortSignal.timeout(2_000),
        })
          .then((r) => r.ok)
          .catch(() => false),
      ),
    );
    const ping = pings.every(Boolean);
    streak = healthy.every(Boolean) && ping ? streak + 1 : 0;
    await sleep(200);
  }
  expect(streak, "the stack recovered after the crash").toBe(5);
}
