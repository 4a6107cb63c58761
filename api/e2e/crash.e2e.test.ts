// Crash proofs through the real stack. Each named crash point (actors/platform/crash-points.ts) is armed
// for one call, the call is driven through it, and the test sees the process die there (its record,
// its pid gone, the launcher's restart), then sees the work completed by a retry or a redelivery:
// every billable call charged exactly once, the books balanced, the buyer actor agreeing with the
// ledger, the audit chain intact. A last test kills the actor host's sidecar mid-stream.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { isClean, reconcileUntilClean } from "../../scripts/reconcile.ts";
import { buyerKey } from "./bidders.ts";
import {
  arm,
  assertAuditVerifies,
  assertChargedOnce,
  billableFlow,
  COMPLETED,
  CONNECTED,
  callEvent,
  callIdOf,
  crash,
  firedAndRestarted,
  logLines,
  market,
  offerRouted,
  oneEvent,
  retried,
  sleep,
  sql,
  untilRecovered,
} from "./chaos.ts";
import {
  call,
  createBuyer,
  createBuyerCampaign,
  createSeller,
  randomCaller,
  uniq,
  waitFor,
} from "./client.ts";
import { redisClient } from "./compliance-helpers.ts";

afterEach(() => untilRecovered(), 100_000);
afterAll(() => sql.end());

const PRICE = 15_000_000;
const ACTOR_HOSTS = ["exchange-actors", "exchange-actors-2"];
const ms = (d: Date) => d.getTime();

/** Waits until a process's log has a line with `msg` that `pick` accepts. */
async function untilLogged(names: string[], msg: string, pick: (l: Record<string, unknown>) => boolean) {
  let found: Record<string, unknown> | undefined;
  for (let i = 0; i < 240 && !found; i++) {
    found = names.flatMap((n) => logLines(n, msg)).find(pick);
    if (!found) await sleep(250);
  }
  expect(found, `${names.join("/")} logged ${msg}`).toBeDefined();
  return found!;
}

/** An offered, routed and connected call, ready to be completed. */
async function connectedCall() {
  const { buyer, seller } = await market();
  const idem = uniq();
  const callId = await offerRouted(seller, idem);
  await callEvent(seller, callId, idem, CONNECTED);
  return { buyer, seller, idem, callId };
}

describe("crash points: each crash hits work in progress, and a retry or redelivery completes it once", () => {
  it("the events app dies after committing a charge, before the ack: redelivered and recorded once", async () => {
    const { buyer, seller, idem, callId } = await connectedCall();
    const before = arm("events.after_commit_before_ack", `call.billable:${callId}`);
    // Other calls stream through the events app before, during and after the crash.
    const others = Array.from({ length: 6 }, (_, i) => sleep(i * 150).then(() => billableFlow(seller)));
    await callEvent(seller, callId, idem, COMPLETED);
    const { record, name } = await firedAndRestarted("events.after_commit_before_ack", before);
    expect(name).toBe("exchange-events");
    const billable = await oneEvent(callId, "call.billable");
    // It died in the middle of the work: the charge was committed, but never acknowledged.
    expect(record.subjects).toContain(billable.eventId);
    expect(ms(billable.recordedAt)).toBeLessThanOrEqual(Date.parse(record.at));
    // daprd delivered it again, to the restarted process, which recognised it as recorded.
    await untilLogged(
      [name],
      "events.redelivered",
      (l) => l.pid !== record.pid && (l.eventIds as string[]).includes(billable.eventId),
    );
    await assertChargedOnce(buyer, [callId, ...(await Promise.all(others))], PRICE);
    await assertAuditVerifies();
  }, 180_000);

  it("an actor host dies after the buyer's capture, before the call's save: the retry replays the capture", async () => {
    const { buyer, seller, idem, callId } = await connectedCall();
    const before = arm("call.after_capture_before_save", callId);
    await callEvent(seller, callId, idem, COMPLETED);
    const { record, name } = await firedAndRestarted("call.after_capture_before_save", before);
    expect(ACTOR_HOSTS).toContain(name);
    // The buyer's capture happened (once) before the crash; the call's completion was announced only
    // after it, carrying the instant of the first attempt (saved with the settlement intent).
    const captured = await oneEvent(callId, "buyer.captured");
    expect(ms(captured.occurredAt)).toBeLessThanOrEqual(Date.parse(record.at));
    const completed = await oneEvent(callId, "call.completed");
    expect(ms(completed.occurredAt)).toBeLessThanOrEqual(ms(captured.occurredAt));
    expect(ms(completed.recordedAt)).toBeGreaterThan(Date.parse(record.at));
    await oneEvent(callId, "call.billable");
    // The retried completion captured again, and the buyer replayed the first charge.
    await untilLogged(ACTOR_HOSTS, "buyer.capture_replayed", (l) => l.callId === callId);
    await assertChargedOnce(buyer, [callId], PRICE);
    await assertAuditVerifies();
  }, 180_000);

  it("an actor host dies after a conversion's capture, before the call's save: the retried postback bills once", async () => {
    const vertical = `cx_${uniq().slice(0, 8)}`;
    const buyer = await createBuyer(1_000_000_000); // as market()'s: assertChargedOnce counts from it
    await createBuyerCampaign(buyer, {
      vertical,
      bidMicros: PRICE,
      minDurationSec: 30,
      billOn: "conversion",
    });
    const seller = await createSeller({ vertical, reserveMicros: 1_000_000 });
    const idem = uniq();
    const callId = await offerRouted(seller, idem);
    for (const ev of [CONNECTED, COMPLETED]) await callEvent(seller, callId, idem, ev);
    const bKey = await buyerKey(buyer);
    const key = (
      await call<{ decision: { conversionKey: string } }>("GET", `/v1/calls/${callId}`, { key: bKey })
    ).body.decision.conversionKey;
    const before = arm("call.after_conversion_capture_before_save", callId);
    const post = () =>
      call<{ conversion?: { status: string } }>("POST", `/v1/calls/${callId}/conversion`, {
        key: bKey,
        body: { key, revenueMicros: 99 },
      }).catch(() => ({ status: 599, body: {} as { conversion?: { status: string } } }));
    expect((await post()).status).not.toBe(200); // the host died inside it, after the capture
    const { name } = await firedAndRestarted("call.after_conversion_capture_before_save", before);
    expect(ACTOR_HOSTS).toContain(name);
    // The same postback again: the intent is finished (the capture replays), then answered as accepted.
    const again = await retried(post, (s) => s === 200);
    expect(again.body.conversion?.status).toBe("converted");
    await untilLogged(ACTOR_HOSTS, "buyer.capture_replayed", (l) => l.callId === callId);
    await assertChargedOnce(buyer, [callId], PRICE);
    await oneEvent(callId, "call.billable");
    await assertAuditVerifies();
  }, 180_000);

  it("an actor host dies after the capture and nobody retries: the call's reminder settles it once", async () => {
    const since = new Date().toISOString();
    const { buyer, seller, idem, callId } = await connectedCall();
    const before = arm("call.after_capture_before_save", callId);
    const complete = () =>
      call<{ status?: string }>("POST", `/v1/calls/${callId}/events`, {
        key: seller.key,
        idempotencyKey: `${idem}-completed`,
        body: COMPLETED,
      }).catch(() => ({ status: 599, body: {} as { status?: string } }));
    // Sent once and never retried: the host dies inside it, after the capture.
    expect((await complete()).status).not.toBe(200);
    const { record, name } = await firedAndRestarted("call.after_capture_before_save", before);
    expect(ACTOR_HOSTS).toContain(name);
    // With no retry from anyone, the intent saved before the capture is finished by the reminder:
    // the charge reaches the ledger (on main it never does), and the completion is announced once.
    let charges = 0;
    for (let i = 0; i < 240 && charges === 0; i++) {
      const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n from ledger_postings where kind = 'charge' and reference = ${callId}`;
      charges = row?.n ?? 0;
      if (charges === 0) await sleep(250);
    }
    expect(charges, "the charge posted with nobody retrying the completion").toBe(1);
    await untilLogged(ACTOR_HOSTS, "call.settlement_finished", (l) => l.callId === callId);
    const captured = await oneEvent(callId, "buyer.captured");
    expect(ms(captured.occurredAt)).toBeLessThanOrEqual(Date.parse(record.at));
    const billable = await oneEvent(callId, "call.billable");
    expect(ms(billable.recordedAt)).toBeGreaterThan(Date.parse(record.at));
    await oneEvent(callId, "call.completed");
    // The buyer's settlement record ends with the call's document, not before (nobody can ask for
    // this capture again once the call has expired: docs/ops/ttl.md), and never outlives it.
    const redis = redisClient();
    const key = `dce:settled:${buyer}:${callId}`;
    try {
      const callDeadline = await redis.pexpiretime(`exchange-actors||CallActor||${callId}||doc`);
      expect(callDeadline).toBeGreaterThan(Date.now());
      expect(await redis.pexpiretime(key)).toBe(callDeadline);
      // Even without it (as on the day it expires), the late completion and its replay answer 200.
      await redis.del(key);
    } finally {
      redis.disconnect();
    }
    for (let i = 0; i < 2; i++) {
      const late = await complete();
      expect(late.status).toBe(200);
      expect(late.body.status).toBe("completed");
    }
    await assertChargedOnce(buyer, [callId], PRICE);
    // The seller's payout is credited once, in the one charge posting, at the billed amount (to its
    // pending earnings: payout holds).
    const [payout] = await sql<{ postings: number; micros: string; billed: string }[]>`
      select count(distinct p.id)::int as postings, coalesce(-sum(e.amount_micros), 0)::text as micros,
        (select data->>'payoutMicros' from domain_events where event_id = ${billable.eventId}) as billed
      from ledger_postings p join ledger_entries e on e.posting_id = p.id
      where p.kind = 'charge' and p.reference = ${callId} and e.account_id = ${`seller_pending:${seller.sellerId}`}`;
    expect(payout).toEqual({ postings: 1, micros: payout!.billed, billed: expect.stringMatching(/^[1-9]/) });
    const report = await reconcileUntilClean(since, 30);
    expect(report.calls.mismatches).toEqual([]);
    expect(isClean(report)).toBe(true);
    await assertAuditVerifies();
  }, 240_000);

  it("an actor host dies after the buyer records a settlement, before its write: the hold is captured on retry", async () => {
    const { buyer, seller, idem, callId } = await connectedCall();
    const before = arm("buyer.after_settlement_before_write", callId);
    await callEvent(seller, callId, idem, COMPLETED);
    const { record, name } = await firedAndRestarted("buyer.after_settlement_before_write", before);
    expect(ACTOR_HOSTS).toContain(name);
    // The capture that counts was written after the crash, from the hold the crash left in place.
    const captured = await oneEvent(callId, "buyer.captured");
    expect(ms(captured.occurredAt)).toBeGreaterThan(Date.parse(record.at));
    // Announced after the crash, at the first attempt's instant (saved with the settlement intent).
    expect(ms((await oneEvent(callId, "call.completed")).recordedAt)).toBeGreaterThan(Date.parse(record.at));
    await oneEvent(callId, "call.billable");
    await assertChargedOnce(buyer, [callId], PRICE);
    await assertAuditVerifies();
  }, 180_000);

  it("an actor host dies after a call's write, before its publish: the outbox publishes after the restart", async () => {
    const { buyer, seller } = await market();
    const idem = uniq();
    const callId = callIdOf(seller.sellerId, idem);
    const before = arm("actor.after_write_before_publish", `CallActor:${callId}`);
    expect(await offerRouted(seller, idem)).toBe(callId);
    const { record, name } = await firedAndRestarted("actor.after_write_before_publish", before);
    expect(ACTOR_HOSTS).toContain(name);
    // The offer's events were saved before the crash and published only after it (by the retried
    // offer loading the document and flushing its outbox), each recorded once.
    for (const type of ["call.offered", "call.routed"]) {
      const ev = await oneEvent(callId, type);
      expect(ms(ev.occurredAt)).toBeLessThanOrEqual(Date.parse(record.at));
      expect(ms(ev.recordedAt)).toBeGreaterThan(Date.parse(record.at));
    }
    for (const ev of [CONNECTED, COMPLETED]) await callEvent(seller, callId, idem, ev);
    await assertChargedOnce(buyer, [callId], PRICE);
    await assertAuditVerifies();
  }, 180_000);

  it("an actor host dies after a buyer reserved, before the call's save: the saga releases the hold", async () => {
    const vertical = `v_${uniq().slice(0, 8)}`;
    const buyerId = await createBuyer(1_000_000_000);
    await createBuyerCampaign(buyerId, { vertical, bidMicros: PRICE, caps: { concurrency: 1 } });
    const seller = await createSeller({ vertical, reserveMicros: 1_000_000, routingTtlSec: 600 });
    const idem = uniq();
    const callId = callIdOf(seller.sellerId, idem);
    const before = arm("call.after_reserve_before_save", callId);
    const body = {
      sellerCampaignId: seller.sellerCampaignId,
      callerNumber: randomCaller(),
      callerState: "FL",
    };
    const first = await call<{ status: string }>("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: idem,
      body,
    }).catch(() => ({ status: 599, body: { status: "" } }));
    await firedAndRestarted("call.after_reserve_before_save", before);
    // The seller does not retry. Either the sidecar's own retry ran the offer again elsewhere (which
    // undid the journalled hold first, then routed afresh) or nobody did, and the routing sweeper
    // finished the saga: the hold is released either way, and only a routed call keeps one.
    const released = await waitFor(
      () => sql<{ outcome: string }[]>`select data->>'outcome' as outcome from domain_events
        where type = 'buyer.released' and aggregate_id = ${buyerId} and data->>'callId' = ${callId}`,
      (rows) => rows.length > 0,
      90_000,
    );
    expect(released.map((r) => r.outcome)).toEqual(["failed"]);
    const routed = first.status === 201 && first.body.status === "routed";
    const held = await waitFor(
      async () =>
        (await call<{ reservedMicros: number }>("GET", `/v1/buyers/${buyerId}/balance`)).body.reservedMicros,
      (r) => r === (routed ? PRICE : 0),
    );
    expect(held).toBe(routed ? PRICE : 0);
    expect((await call("GET", `/v1/calls/${callId}`)).status).toBe(routed ? 200 : 404);
  }, 150_000);
});

describe("crash proofs", () => {
  it("the actor host's sidecar killed mid-stream: calls retry through, each charged exactly once", async () => {
    const { buyer, seller } = await market();
    const flows = Array.from({ length: 16 }, (_, i) => sleep(i * 80).then(() => billableFlow(seller)));
    await sleep(500);
    await crash("exchange-actors-daprd");
    const callIds = await Promise.all(flows);
    await assertChargedOnce(buyer, callIds, PRICE);
  }, 150_000);
});
