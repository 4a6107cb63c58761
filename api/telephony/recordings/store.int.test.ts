// The recording store against real Postgres (a throwaway database) and a real HTTP media server on
// 127.0.0.1: a reported recording is hashed through the egress guard and audited with its URL and
// SHA-256; a failed fetch stays pending and the sweep stores it later; a repeated callback changes
// nothing; past its retention the sweep deletes it (URL forgotten) and audits the deletion.
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS } from "../../../actors/kernel/media.ts";
import { egressDigest } from "../../../actors/platform/egress-digest.ts";
import { createLogger } from "../../../actors/platform/logger.ts";
import { verifyAudit } from "../../audit/verify.ts";
import { auditLog } from "../../db/compliance-schema.ts";
import { callRecordings } from "../../db/recording-schema.ts";
import { domainEvents } from "../../db/schema.ts";
import { throwawayDatabase } from "../../db/test-database.ts";
import { type CaptureDeps, captureRecording } from "./capture.ts";
import { type RecordingReport, receiveRecording } from "./store.ts";
import { sweepRecordings } from "./sweep.ts";

const media = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256));
let failing = true;
const server = createServer((req, res) => {
  if (req.url?.startsWith("/flaky") && failing) return void res.writeHead(503).end("later");
  res.writeHead(200, { "content-type": "audio/wav" }).end(media);
});
let base = "";
let handle: Awaited<ReturnType<typeof throwawayDatabase>>;
let deps: CaptureDeps;
const T0 = Date.parse("2026-12-01T10:00:00Z");

beforeAll(async () => {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  handle = await throwawayDatabase("recordings");
  deps = {
    db: handle.db,
    logger: createLogger("test", "silent"),
    policy: { allowLocal: true },
    timeoutMs: 5000,
  };
}, 60_000);
afterAll(async () => {
  server.close();
  await handle?.drop();
});

const report = (callId: string, path: string): RecordingReport => ({
  provider: "twilio",
  callId,
  recordingSid: `RE${callId}`,
  url: `${base}${path}`,
  durationSec: 42,
  channels: 2,
});
const parties = { sellerId: "sel_1", buyerId: "byr_1" };
const rowOf = async (callId: string) =>
  (await handle.db.select().from(callRecordings).where(eq(callRecordings.callId, callId)))[0];
const eventOf = async (callId: string, type: string) =>
  (
    await handle.db
      .select()
      .from(domainEvents)
      .where(and(eq(domainEvents.aggregateId, callId), eq(domainEvents.type, type)))
  )[0];

describe("recording store", () => {
  it("hashes the served bytes, stores them and audits the URL and SHA-256 once", async () => {
    const r = report("call_a", "/rec/a");
    const { row, created } = await receiveRecording(handle.db, r, parties, 30, T0);
    expect(created).toBe(true);
    expect(await captureRecording(deps, row, () => T0)).toBe("stored");
    const want = createHash("sha256").update(media).digest("hex");
    const stored = await rowOf("call_a");
    expect(stored).toMatchObject({ status: "stored", sha256: want, url: r.url, buyerId: "byr_1" });
    expect(Date.parse(stored!.retentionUntil)).toBe(T0 + 30 * DAY_MS);
    const event = await eventOf("call_a", "recording.stored");
    expect(event?.data).toMatchObject({ url: r.url, sha256: want, bytes: media.length });
    const audited = await handle.db.select().from(auditLog).where(eq(auditLog.eventId, event!.eventId));
    expect(audited).toHaveLength(1);
    // The carrier repeats its callback: the row and the audit stay as they were.
    const again = await receiveRecording(handle.db, r, parties, 30, T0 + 1000);
    expect(again.created).toBe(false);
    expect(await captureRecording(deps, again.row, () => T0)).toBe("stored");
    expect(await handle.db.select().from(auditLog).where(eq(auditLog.aggregateId, "call_a"))).toHaveLength(1);
    expect((await verifyAudit(handle.db)).ok).toBe(true);
  });

  it("keeps a recording whose media cannot be fetched pending, and the sweep stores it later", async () => {
    const { row } = await receiveRecording(handle.db, report("call_b", "/flaky/b"), parties, 30, T0);
    expect(await captureRecording(deps, row, () => T0)).toBe("pending");
    const pending = await rowOf("call_b");
    expect(pending).toMatchObject({ status: "pending", sha256: null, fetchAttempts: 1 });
    expect(pending?.lastError).toContain("503");
    expect(Date.parse(pending!.nextFetchAt!)).toBe(T0 + 60_000);
    // Not yet due: the sweep leaves it; once due and the media answers, it is stored and audited.
    expect((await sweepRecordings(deps, () => T0 + 1000)).retried).toBe(0);
    failing = false;
    expect(await sweepRecordings(deps, () => T0 + 60_000)).toMatchObject({ retried: 1, stored: 1 });
    expect((await rowOf("call_b"))?.status).toBe("stored");
    expect(await eventOf("call_b", "recording.stored")).toBeDefined();
  });

  it("refuses an internal media address without local egress, and keeps the row pending", async () => {
    const { row } = await receiveRecording(handle.db, report("call_c", "/rec/c"), parties, 30, T0);
    const strict = { ...deps, policy: { allowLocal: false } };
    expect(await captureRecording(strict, row, () => T0)).toBe("pending");
    expect((await rowOf("call_c"))?.lastError).toMatch(/https|loopback/);
  });

  it("fails a fetch whose media is larger than allowed, without storing a partial hash", async () => {
    await expect(
      egressDigest(`${base}/rec/big`, { timeoutMs: 5000, maxBytes: 1000 }, { allowLocal: true }),
    ).rejects.toThrow(/exceeds 1000 bytes/);
    const digest = await egressDigest(
      `${base}/rec/ok`,
      { timeoutMs: 5000, maxBytes: media.length },
      { allowLocal: true },
    );
    expect(digest).toEqual({ sha256: createHash("sha256").update(media).digest("hex"), bytes: media.length });
  });

  it("deletes recordings past their retention, forgets the URL and audits each deletion", async () => {
    const { row } = await receiveRecording(handle.db, report("call_d", "/rec/d"), parties, 1, T0);
    await captureRecording(deps, row, () => T0);
    const before = await sweepRecordings(deps, () => T0 + DAY_MS - 1);
    expect(before.deleted).toBe(0);
    expect(await sweepRecordings(deps, () => T0 + DAY_MS)).toMatchObject({ deleted: 1 });
    const gone = await rowOf("call_d");
    expect(gone).toMatchObject({ status: "deleted", url: null });
    expect(gone?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(gone!.deletedAt!)).toBe(T0 + DAY_MS);
    const event = await eventOf("call_d", "recording.deleted");
    expect(event?.data).toMatchObject({
      recordingSid: "REcall_d",
      reason: "retention",
      sha256: gone?.sha256,
    });
    expect((await sweepRecordings(deps, () => T0 + 2 * DAY_MS)).deleted).toBe(0);
    expect((await verifyAudit(handle.db)).ok).toBe(true);
  });
});
