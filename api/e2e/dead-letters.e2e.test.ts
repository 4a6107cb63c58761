// Nothing dropped, through the real stack: a zero-price call is billed as a zero charge; events the
// writer cannot record (a constraint live data violates, a malformed publish) reach the dead-letter
// table, raise the metric and an alert log, and `npm run events:replay` records them once fixed (or an
// admin discards what can never be recorded).
import { afterAll, describe, expect, it } from "vitest";
import { COMPLETED, CONNECTED, callEvent, logLines, offerRouted, sql } from "./chaos.ts";
import { call, createBuyer, createBuyerCampaign, createSeller, type Reply, uniq, waitFor } from "./client.ts";
import { ownerSqlClient } from "./db-roles.ts";
import { run } from "./run.ts";
import { API, adminKey, ROOT, sidecarHeaders } from "./stack.ts";

/** The events of a billable call, each carrying the call's snapshot for the calls read model. */
const CALL_EVENTS = ["call.offered", "call.routed", "call.connected", "call.billable", "call.completed"];
const startedAt = new Date(Date.now() - 1_000).toISOString();
/** The owner role: the app role may not add or drop a constraint. */
const owner = ownerSqlClient();
afterAll(() => Promise.all([sql.end({ timeout: 2 }), owner.end({ timeout: 2 })]));

interface DeadLetterRow {
  id: string;
  event_id: string | null;
  event_type: string | null;
  payload: string;
  error_class: string;
  sqlstate: string | null;
  attempts: number;
  resolved_at: string | null;
  resolution: string | null;
}
const deadLettersOf = (callId: string) =>
  sql<
    DeadLetterRow[]
  >`select * from dead_letters where event_id like ${`evt_${callId}_%`} order by first_failed_at`;
const chargesOf = (callId: string) =>
  sql<{ id: string; account_id: string; amount_micros: string }[]>`
    select p.id, e.account_id, e.amount_micros::text from ledger_postings p
    join ledger_entries e on e.posting_id = p.id
    where p.kind = 'charge' and p.reference = ${callId} order by e.id`;

async function unresolvedMetric(): Promise<number> {
  const text = await fetch(`${API}/metrics`, { headers: { authorization: `Bearer ${adminKey()}` } }).then(
    (r) => r.text(),
  );
  expect(text).toMatch(/^dce_dead_letters_readable 1$/m); // the count is fresh, not a stale one
  const m = /^dce_dead_letters\{state="unresolved"\} (\d+)$/m.exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

async function replayScript(...args: string[]) {
  const r = await run(
    "bash",
    ["scripts/node24.sh", "node", "--import", "tsx", "scripts/events-replay.ts", ...args],
    { cwd: ROOT },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

async function reconciledCalls(callIds: string[]) {
  const r = await call<{ calls: { mismatches: { callId: string }[] } }>(
    "GET",
    `/v1/admin/reconciliation?since=${encodeURIComponent(startedAt)}`,
  );
  expect(r.status).toBe(200);
  return r.body.calls.mismatches.filter((m) => callIds.includes(m.callId));
}

/** A buyer and a seller alone in their own vertical, at the prices given. */
async function market(bidMicros: number, reserveMicros: number) {
  const vertical = `dl_${uniq().slice(0, 8)}`;
  const buyerId = await createBuyer();
  await createBuyerCampaign(buyerId, { vertical, bidMicros });
  const seller = await createSeller({ vertical, reserveMicros });
  return { buyerId, seller };
}

async function billableCall(seller: Awaited<ReturnType<typeof market>>["seller"]) {
  const idem = uniq();
  const callId = await offerRouted(seller, idem);
  for (const ev of [CONNECTED, COMPLETED]) await callEvent(seller, callId, idem, ev);
  return callId;
}

describe("nothing dropped", () => {
  it("bills a zero-price call (bid 0, reserve 0) as one zero charge that reconciles", async () => {
    const { buyerId, seller } = await market(0, 0);
    const callId = await billableCall(seller);
    const charge = await waitFor(
      () => chargesOf(callId),
      (rows) => rows.length > 0,
    );
    expect(charge.map((e) => [e.account_id, Number(e.amount_micros)])).toEqual([
      [`buyer:${buyerId}`, 0],
      [`seller_pending:${seller.sellerId}`, 0], // pending earnings (payout holds)
    ]);
    const view = await waitFor(
      () => call<{ billable?: boolean; chargedMicros?: number }>("GET", `/v1/calls/${callId}`),
      (r) => r.body.billable === true,
    );
    expect(view.body).toMatchObject({ billable: true, chargedMicros: 0 });
    expect(await deadLettersOf(callId)).toEqual([]);
    expect(await reconciledCalls([callId])).toEqual([]);
    // Disputing it gives nothing back and writes nothing: there was nothing charged.
    const refund = await call<{ code: string }>("POST", `/v1/calls/${callId}/refund`, {
      body: { reason: "disputed" },
    });
    expect([refund.status, refund.body.code]).toEqual([409, "not_charged"]);
    expect(
      await sql`select 1 from ledger_postings where kind = 'refund' and reference = ${callId}`,
    ).toHaveLength(0);
  });

  it("dead-letters a call's events that a constraint refuses, alerts, and replays them once fixed", async () => {
    const { seller } = await market(20_000_000, 5_000_000);
    const guard = `dl_e2e_${uniq().slice(0, 8)}`;
    // A guard too strict for live data, as a bad migration would add: this campaign's calls violate it.
    await owner.unsafe(
      `alter table calls add constraint ${guard} check (seller_campaign_id <> '${seller.sellerCampaignId}') not valid`,
    );
    let callId = "";
    try {
      const before = await unresolvedMetric();
      callId = await billableCall(seller);
      const kept = await waitFor(
        () => deadLettersOf(callId),
        (rows) => CALL_EVENTS.every((t) => rows.some((r) => r.event_type === t)),
        30_000,
      );
      expect(kept.map((r) => r.event_type)).toEqual(expect.arrayContaining(CALL_EVENTS));
      for (const r of kept) expect(r).toMatchObject({ sqlstate: "23514", resolved_at: null });
      expect(await sql`select 1 from calls where call_id = ${callId}`).toHaveLength(0);
      expect(await unresolvedMetric()).toBeGreaterThanOrEqual(before + kept.length);
      const alerts = logLines("exchange-events", "events.dead_lettered").filter((l) =>
        String(l.eventId).startsWith(`evt_${callId}_`),
      );
      expect(alerts.length).toBeGreaterThanOrEqual(kept.length);
      for (const a of alerts) expect(a).toMatchObject({ level: 50, sqlstate: "23514" });
      expect(JSON.stringify(alerts)).not.toMatch(/\+1\d{10}/); // no caller number

      // The admin list shows them, oldest first, page by page; a seller key may not list.
      const listed: { id: string; state: string; firstFailedAt: string }[] = [];
      let cursor: string | null = "";
      while (cursor !== null) {
        const page: Reply<{ items: typeof listed; nextCursor: string | null }> = await call(
          "GET",
          `/v1/admin/dead-letters?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        );
        expect(page.status).toBe(200);
        listed.push(...page.body.items);
        cursor = page.body.nextCursor;
      }
      expect(listed.map((i) => i.id)).toEqual(expect.arrayContaining(kept.map((r) => r.id)));
      expect(new Set(listed.map((i) => i.id)).size).toBe(listed.length);
      expect(listed.every((i) => i.state === "unresolved")).toBe(true);
      const times = listed.map((i) => Date.parse(i.firstFailedAt));
      expect(times.every(Number.isFinite)).toBe(true); // ISO 8601
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect((await call("GET", "/v1/admin/dead-letters", { key: seller.key })).status).toBe(403);

      // Not fixed yet: the replay fails, the rows stay unresolved with one more attempt.
      const ids = kept.flatMap((r) => ["--id", r.id]);
      const early = await replayScript(...ids);
      expect(early.status, early.out).toBe(1);
      const tried = (await deadLettersOf(callId)).filter((r) => kept.some((k) => k.id === r.id));
      expect(tried.map((r) => [r.resolved_at, r.attempts >= 2])).toEqual(kept.map(() => [null, true]));

      await owner.unsafe(`alter table calls drop constraint ${guard}`); // the fix
      const all = (await deadLettersOf(callId)).flatMap((r) => ["--id", r.id]);
      const fixed = await replayScript(...all);
      expect(fixed.status, fixed.out).toBe(0);
      const after = await deadLettersOf(callId);
      expect(after.map((r) => r.resolution)).toEqual(after.map(() => "replayed"));
      expect(await chargesOf(callId)).not.toHaveLength(0);
      expect(new Set((await chargesOf(callId)).map((c) => c.id)).size).toBe(1);
      const [row] = await sql<{ billable: boolean }[]>`select billable from calls where call_id = ${callId}`;
      expect(row?.billable).toBe(true);
      expect(await reconciledCalls([callId])).toEqual([]);
      expect((await call<{ ok: boolean }>("GET", "/v1/audit/verify")).body.ok).toBe(true);
      // A second replay changes nothing: exactly once per event id.
      const again = await replayScript(...all);
      expect(again.status, again.out).toBe(0);
      expect(again.out).toContain("already_resolved");
      expect(new Set((await chargesOf(callId)).map((c) => c.id)).size).toBe(1);
    } finally {
      await owner.unsafe(`alter table calls drop constraint if exists ${guard}`);
    }
  }, 180_000);

  it("dead-letters a malformed event published through the sidecar instead of dropping it", async () => {
    const junk = { id: `evt_dl_junk_${uniq().replaceAll("-", "")}`, type: "junk.published", data: {} };
    const res = await fetch("http://127.0.0.1:3502/v1.0/publish/pubsub/domain-events", {
      method: "POST",
      headers: { ...sidecarHeaders(), "content-type": "application/json" },
      body: JSON.stringify(junk),
    });
    expect(res.status).toBe(204);
    const kept = await waitFor(
      () => sql<DeadLetterRow[]>`select * from dead_letters where event_id = ${junk.id}`,
      (rows) => rows.length > 0,
    );
    expect(kept.map((r) => [r.error_class, r.event_type, JSON.parse(r.payload)])).toEqual([
      ["MalformedEvent", "junk.published", junk],
    ]);
    const replay = await call<{ code: string }>("POST", `/v1/admin/dead-letters/${kept[0]!.id}/replay`);
    expect([replay.status, replay.body.code]).toEqual([422, "dead_letter_replay_failed"]);
    const unknown = await call<{ code: string }>("POST", "/v1/admin/dead-letters/dlq_0000000000/replay");
    expect([unknown.status, unknown.body.code]).toEqual([404, "dead_letter_unknown"]);
    // It can never be recorded: an admin discards it; the row stays, resolved, with the reason.
    const discard = () =>
      call<{ outcome: string; deadLetter: { state: string; resolutionNote: string } }>(
        "POST",
        `/v1/admin/dead-letters/${kept[0]!.id}/discard`,
        { body: { reason: "e2e junk publish" } },
      );
    const first = await discard();
    expect([first.status, first.body.outcome, first.body.deadLetter.state]).toEqual([
      200,
      "discarded",
      "resolved",
    ]);
    expect((await discard()).body.outcome).toBe("already_resolved");
    const [after] = await sql<DeadLetterRow[]>`select * from dead_letters where event_id = ${junk.id}`;
    expect(after).toMatchObject({ resolution: "discarded" });
  });
});
