// The reconciliation gate can fail: `scripts/reconcile.ts`, the check every stack tier's teardown runs
// and `npm test` requires clean, exits 1 and names the buyer when a ledger is altered behind its actor
// or its reservations differ from its open calls, and names the call when a billable call's charge no
// longer matches its price, or a capture and its charge posting do not pair up. Each injected drift is
// repaired before the test ends, so the tier's own gate (which also sees this file's buyer and call)
// stays clean.
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buyerAccount, CASH, postingId } from "../ledger/postings.ts";
import {
  call,
  createBuyer,
  createBuyerCampaign,
  createSeller,
  randomCaller,
  uniq,
  waitFor,
} from "./client.ts";
import { superuserSqlClient } from "./db-roles.ts";
import { run } from "./run.ts";
import { ROOT } from "./stack.ts";

const sql = postgres("postgres://dce:dce@127.0.0.1:5433/dce", { max: 2, onnotice: () => undefined });
const insider = superuserSqlClient();
// From this file's start (files run one at a time): the gate then covers exactly this file's buyer and call.
const since = new Date().toISOString();
let buyer = "";
let callId = "";

/** Runs the gate as `npm test` would: its exit code and what it printed. */
async function gate(waitSec: number, graceSec = 0): Promise<{ code: number | null; out: string }> {
  const r = await run(
    process.execPath,
    [
      ...["--import", "tsx", "scripts/reconcile.ts", "--since", since],
      ...["--wait", String(waitSec), "--grace", String(graceSec)],
    ],
    { cwd: ROOT, timeout: 90_000 },
  );
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A balanced posting written straight into the ledger, as a bug or a hand edit would. */
async function postDirect(kind: "deposit" | "refund", reference: string, buyerMicros: number) {
  const id = postingId(kind, reference);
  await sql.begin(async (tx) => {
    await tx`insert into ledger_postings (id, kind, reference, memo, occurred_at) values (${id}, ${kind}, ${reference}, 'reconcile-gate test', now())`;
    await tx`insert into ledger_entries (posting_id, account_id, amount_micros) values (${id}, ${buyerAccount(buyer)}, ${buyerMicros}), (${id}, ${CASH}, ${-buyerMicros})`;
  });
}

beforeAll(async () => {
  const vertical = `v_${uniq().slice(0, 8)}`;
  buyer = await createBuyer(50_000_000);
  await createBuyerCampaign(buyer, { vertical, bidMicros: 20_000_000, minDurationSec: 60 });
  const seller = await createSeller({ vertical, reserveMicros: 1_000_000 });
  const offer = await call<{ callId: string; status: string; priceMicros: number }>("POST", "/v1/calls", {
    key: seller.key,
    idempotencyKey: uniq(),
    body: { sellerCampaignId: seller.sellerCampaignId, callerNumber: randomCaller(), callerState: "FL" },
  });
  expect(offer.body).toMatchObject({ status: "routed", priceMicros: 20_000_000 });
  callId = offer.body.callId;
  const events = `/v1/calls/${callId}/events`;
  await call("POST", events, { key: seller.key, body: { type: "connected" } });
  await call("POST", events, { key: seller.key, body: { type: "completed", durationSec: 90 } });
  const charged = await waitFor(
    () => sql`select count(*)::int as n from ledger_postings where kind = 'charge' and reference = ${callId}`,
    (rows) => rows[0]?.n === 1,
  );
  expect(charged[0]?.n).toBe(1);
}, 120_000);

afterAll(async () => {
  await sql.end();
  await insider.end();
});

describe("the reconciliation gate", () => {
  it("passes on honest books, covering this file's buyer and billable call", async () => {
    const { code, out } = await gate(30);
    expect(out).toMatch(
      /reconciliation: 1 buyers, 1 calls, 1 captures \(0 in flight\); 0 buyers drifting, 0 calls in question; trial balance 0 \(0 unbalanced postings\): CLEAN/,
    );
    expect(code).toBe(0);
  });

  it("exits 1 naming the buyer whose ledger moved without its actor, and passes once repaired", async () => {
    const reference = `test_drift_${uniq()}`;
    await postDirect("deposit", reference, -7); // the ledger now owes the buyer 7 micros more than its actor holds
    try {
      const { code, out } = await gate(0);
      expect(out).toContain(`buyer ${buyer}: actor − ledger = -7 micros`);
      expect(out).toContain("1 buyers drifting, 0 calls in question");
      expect(code).toBe(1);
    } finally {
      await postDirect("refund", reference, 7);
    }
    expect((await gate(0)).code).toBe(0);
  });

  it("exits 1 naming the buyer whose reservations differ from its open calls, and passes once repaired", async () => {
    // The read model now shows the call still open: its price should be held, and the actor holds nothing.
    await sql`update calls set status = 'routed' where call_id = ${callId}`;
    try {
      const { code, out } = await gate(0);
      expect(out).toContain(
        `buyer ${buyer}: actor − ledger = 0 micros; actor holds 0 micros for open calls priced 20000000`,
      );
      expect(code).toBe(1);
    } finally {
      await sql`update calls set status = 'completed' where call_id = ${callId}`;
    }
    expect((await gate(0)).code).toBe(0);
  });

  it("exits 1 naming the call whose charge no longer equals its price, and passes once repaired", async () => {
    await sql`update calls set price_micros = price_micros + 1 where call_id = ${callId}`;
    try {
      const { code, out } = await gate(0);
      expect(out).toContain(
        `call ${callId} (buyer ${buyer}): charge_amount: price 20000001, call charged 20000000, ledger charged buyer 20000000`,
      );
      expect(code).toBe(1);
    } finally {
      await sql`update calls set price_micros = price_micros - 1 where call_id = ${callId}`;
    }
    expect((await gate(0)).code).toBe(0);
  });

  // Domain events are audited and append-only: each plant rewrites this file's own capture event in
  // place as an insider (the superuser, with the append-only trigger off for the one statement), and
  // the repair writes it back exactly (the audit chain's digest then matches again).
  const capture = (set: (tx: postgres.TransactionSql) => ReturnType<typeof sql>) =>
    insider.begin(async (tx) => {
      await tx`alter table domain_events disable trigger domain_events_append_only`;
      await tx`update domain_events set ${set(tx)} where event_id = (select event_id from domain_events
        where type in ('buyer.captured', 'test.hidden_capture') and data->>'callId' in (${callId}, ${`${callId}_strand`}))`;
      await tx`alter table domain_events enable trigger domain_events_append_only`;
    });

  it("exits 1 naming a capture with no charge posting, unless recorded within the grace window", async () => {
    // The capture now names a call that never reached the ledger (a stranded settlement).
    const stranded = `${callId}_strand`;
    await capture((tx) => tx`data = jsonb_set(data, '{callId}', to_jsonb(${stranded}::text))`);
    try {
      const { code, out } = await gate(0);
      expect(out).toContain(
        `call ${stranded} (buyer ${buyer}): capture_uncharged: 1 capture(s), 0 charge postings`,
      );
      expect(code).toBe(1);
      // Recorded within a grace window (an hour here), each half is a charge still in flight, not missing.
      const graced = await gate(0, 3_600);
      expect(graced.out).toContain("(2 in flight)");
      expect(graced.code).toBe(0);
    } finally {
      await capture((tx) => tx`data = jsonb_set(data, '{callId}', to_jsonb(${callId}::text))`);
    }
    expect((await gate(0)).code).toBe(0);
  });

  it("exits 1 naming a charge posting with no capture, and one whose capture differs", async () => {
    await capture((tx) => tx`type = 'test.hidden_capture'`);
    try {
      const { code, out } = await gate(0);
      expect(out).toContain(
        `call ${callId} (buyer ${buyer}): charge_uncaptured: 1 charge posting(s), 0 captures`,
      );
      expect(code).toBe(1);
    } finally {
      await capture((tx) => tx`type = 'buyer.captured'`);
    }
    const amount = (delta: number) =>
      capture(
        (tx) =>
          tx`data = jsonb_set(data, '{chargedMicros}', to_jsonb((data->>'chargedMicros')::bigint + ${delta}))`,
      );
    await amount(1);
    try {
      const { code, out } = await gate(0);
      expect(out).toContain(
        `call ${callId} (buyer ${buyer}): capture_amount: captured 20000001 from ${buyer}, charged 20000000 to ${buyer}`,
      );
      expect(code).toBe(1);
    } finally {
      await amount(-1);
    }
    expect((await gate(0)).code).toBe(0);
  });
});
