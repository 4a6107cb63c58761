// Hard-crash proofs of the events pipeline (chaos tier, whose stack bounds the events backlog at
// CHAOS_BACKLOG_MAX entries): (a) Postgres stopped (SIGSTOP of its process group) while calls in flight
// report their lifecycle, past the bound: offers are refused meanwhile, and after the restart the writer
// drains the backlog, every event is recorded and every billable call charged once; (c) the events app
// crash-looping (a crash point armed for several batches) while offers flow: nothing lost. Each prints
// how long its recovery took.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { armCrash, disarmCrash, firedCrash } from "../../actors/platform/crash-points.ts";
import { readBacklog } from "../stream/backlog.ts";
import {
  assertAuditVerifies,
  assertChargedOnce,
  billableFlow,
  COMPLETED,
  CONNECTED,
  eventsOfCall,
  logLines,
  market,
  offerRouted,
  pidOf,
  retried,
  sleep,
  sql,
  stackPids,
  untilRecovered,
} from "./chaos.ts";
import { call, randomCaller, uniq, waitFor } from "./client.ts";
import { redisClient } from "./compliance-helpers.ts";
import { API, adminKey, CHAOS_BACKLOG_MAX, CRASH_DIR, STATE_DIR } from "./stack.ts";

const PRICE = 15_000_000;
const STREAM = "domain-events"; // daprd's stream key: the topic's name
const GROUP = "exchange-events"; // its consumer group: the subscribing app id
const redis = redisClient();

afterEach(() => untilRecovered(), 100_000);
afterAll(async () => {
  redis.disconnect();
  await sql.end();
});

/** The backlog as the API's /metrics reports it (no Postgres on that path). */
async function metricBacklog(): Promise<number> {
  const text = await fetch(`${API}/metrics`, {
    headers: { authorization: `Bearer ${adminKey()}` },
    signal: AbortSignal.timeout(5_000),
  })
    .then((r) => r.text())
    .catch(() => "");
  const m = /dce_events_stream_backlog\{stream="domain-events"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : -1;
}

/**
 * Postgres and its children: each backend leads its own process group, so stopping the postmaster's
 * group would leave open connections working. Read from /proc (ppid is the 4th field of stat).
 */
function postgresProcesses(postmaster: number): number[] {
  const children = readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === postmaster;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

/** Waits until every entry is acknowledged; answers when that was. */
async function untilDrained(timeoutMs = 180_000): Promise<number> {
  const s = await waitFor(
    () => readBacklog(redis, STREAM),
    (b) => b.backlog === 0,
    timeoutMs,
  );
  expect(s.backlog).toBe(0);
  return Date.now();
}

/** A lifecycle event sent with the admin key (resolved from configuration, not Postgres). */
async function lifecycle(callId: string, idem: string, ev: Record<string, unknown>) {
  const r = await retried(
    () => call("POST", `/v1/calls/${callId}/events`, { idempotencyKey: `${idem}-${ev.type}`, body: ev }),
    (s) => s === 200,
  );
  expect(r.status).toBe(200);
}

/** Each call's recorded event types: the same multiset as a control call's, so none was lost. */
async function assertEventsWhole(control: string, callIds: string[]) {
  const typesOf = async (id: string) => (await eventsOfCall(id)).map((e) => e.type).sort();
  const want = await typesOf(control);
  expect(want).toEqual(expect.arrayContaining(["call.billable", "call.completed", "buyer.captured"]));
  for (const id of callIds) expect(await typesOf(id), id).toEqual(want);
}

/** An outage is never poison: nothing reached the dead-letter table while the test ran. */
async function assertNoDeadLetters(since: number) {
  const rows = await sql<{ event_id: string | null; error_class: string }[]>`
    select event_id, error_class from dead_letters where last_failed_at >= ${new Date(since)}`;
  expect(rows).toEqual([]);
}

describe("the events pipeline through outages", () => {
  it("Postgres stopped past the backlog bound: offers wait, nothing is lost, each call is charged once", async () => {
    const startedAt = Date.now();
    const { buyer, seller } = await market();
    const control = await billableFlow(seller);
    // The events app's group is the stream's only one.
    expect((await readBacklog(redis, STREAM)).groups.map((g) => g.group)).toEqual([GROUP]);
    // 60 calls: each leaves at least two stream entries while Postgres is stopped (the call's events
    // of a lifecycle command are one message, the buyer's capture another), past the bound of 100.
    const inFlight = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        sleep(i * 60).then(async () => {
          const idem = uniq();
          return { idem, callId: await offerRouted(seller, idem) };
        }),
      ),
    );
    await untilDrained();
    const stoppedAt = Date.now();
    // The postmaster first (no new backend can start), then every backend it has.
    process.kill(pidOf("postgres"), "SIGSTOP");
    const pg = postgresProcesses(pidOf("postgres"));
    for (const pid of pg) process.kill(pid, "SIGSTOP");
    let refused: Awaited<ReturnType<typeof call>> | undefined;
    const body = {
      sellerCampaignId: seller.sellerCampaignId,
      callerNumber: randomCaller(),
      callerState: "FL",
    };
    const waitingIdem = uniq();
    let peak = 0;
    try {
      // Calls in flight still report their lifecycle: their events wait in the stream.
      await Promise.all(
        inFlight.map(async ({ callId, idem }) => {
          for (const ev of [CONNECTED, COMPLETED]) await lifecycle(callId, idem, ev);
        }),
      );
      peak = await waitFor(metricBacklog, (b) => b > CHAOS_BACKLOG_MAX, 60_000);
      expect(peak).toBeGreaterThan(CHAOS_BACKLOG_MAX);
      // Nothing unacknowledged was trimmed though the trimmer runs every second.
      await sleep(2_000);
      const held = await redis.xlen(STREAM);
      expect(held).toBeGreaterThanOrEqual(peak);
      // Redis memory per backlogged entry, and the entries themselves for scripts/stream-memory.ts.
      const bytes = Number(await redis.call("MEMORY", "USAGE", STREAM, "SAMPLES", "0"));
      console.log(`stream held ${held} entries in ${bytes} bytes: ${Math.round(bytes / held)} bytes/entry`);
      writeFileSync(
        join(STATE_DIR, "stream-sample.json"),
        JSON.stringify(await redis.xrange(STREAM, "-", "+")),
      );
      // A new offer is refused while over the bound (the admin key: no Postgres on its path).
      refused = await call("POST", "/v1/calls", { idempotencyKey: waitingIdem, body });
      // Longer than daprd's processing timeout (15 s), so redeliveries fail against it too.
      await sleep(Math.max(0, 20_000 - (Date.now() - stoppedAt)));
    } finally {
      for (const pid of pg) process.kill(pid, "SIGCONT");
    }
    const resumedAt = Date.now();
    expect(refused?.status).toBe(503);
    expect(refused?.headers.get("retry-after")).toBe("5");
    expect(refused?.body).toMatchObject({ code: "events_backlog_full", status: 503 });
    // The refused offer, retried with its key, is taken once the backlog is back under the bound.
    const waiting = await offerRouted(seller, waitingIdem);
    const offersBackMs = Date.now() - resumedAt;
    for (const ev of [CONNECTED, COMPLETED]) await lifecycle(waiting, waitingIdem, ev);
    const drainedMs = (await untilDrained()) - resumedAt;
    const callIds = [control, ...inFlight.map((c) => c.callId), waiting];
    await assertChargedOnce(buyer, callIds, PRICE);
    const chargedMs = Date.now() - resumedAt;
    await assertEventsWhole(control, callIds);
    await assertNoDeadLetters(startedAt);
    await assertAuditVerifies();
    console.log(
      `postgres outage ${resumedAt - stoppedAt} ms, backlog peak ${peak} (bound ${CHAOS_BACKLOG_MAX}): ` +
        `offers taken again after ${offersBackMs} ms, backlog drained after ${drainedMs} ms, ` +
        `${callIds.length} calls charged once after ${chargedMs} ms`,
    );
  }, 300_000);

  it("the events app crash-looping while offers flow: no event lost, each call charged once", async () => {
    const point = "events.after_commit_before_ack";
    const { buyer, seller } = await market();
    const control = await billableFlow(seller);
    await untilDrained();
    const pid = pidOf(GROUP);
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    expect(environ).toContain(`DCE_CRASH_POINTS_DIR=${CRASH_DIR}`);
    const armedAt = new Date().toISOString();
    // Four batches in a row: the events app dies after committing each, before acknowledging it,
    // and each restarted process meets the redelivered (or the next) batch and dies again.
    armCrash(CRASH_DIR, point, undefined, 4);
    try {
      const callIds = await Promise.all(
        Array.from({ length: 24 }, (_, i) => sleep(i * 300).then(() => billableFlow(seller))),
      );
      await waitFor(
        async () => existsSync(join(CRASH_DIR, `${point}.armed`)),
        (armed) => !armed,
        120_000,
      );
      const lastCrash = firedCrash(CRASH_DIR, point);
      expect(lastCrash).not.toBeNull();
      const restarts = logLines(GROUP, "events.started").filter(
        (l) => (l.time as number) > Date.parse(armedAt),
      );
      expect(new Set(restarts.map((l) => l.pid)).size).toBeGreaterThanOrEqual(4);
      expect(stackPids()[GROUP]).not.toBe(pid);
      const drainedMs = (await untilDrained()) - Date.parse(lastCrash!.at);
      await assertChargedOnce(buyer, [control, ...callIds], PRICE);
      const chargedMs = Date.now() - Date.parse(lastCrash!.at);
      await assertEventsWhole(control, [control, ...callIds]);
      // The batches committed before each crash came back and were recognised as recorded.
      expect(
        logLines(GROUP, "events.redelivered").filter((l) => (l.time as number) > Date.parse(armedAt)),
      ).not.toHaveLength(0);
      await assertNoDeadLetters(Date.parse(armedAt));
      await assertAuditVerifies();
      console.log(
        `events app crashed ${restarts.length} times from ${armedAt} to ${lastCrash!.at}: backlog drained ` +
          `${drainedMs} ms and ${callIds.length + 1} calls charged once ${chargedMs} ms after the last crash`,
      );
    } finally {
      disarmCrash(CRASH_DIR, point);
    }
  }, 300_000);
});
