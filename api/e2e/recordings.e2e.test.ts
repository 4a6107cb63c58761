// Call recordings through the real stack: a call on a tracking number whose buyer campaign records is
// dialed with record-from-answer-dual; the carrier's signed recording callback is stored, its media
// (served by a real HTTP server on 127.0.0.1) hashed, and the URL and SHA-256 land in the audit chain.
// The call's seller and buyer fetch it, other parties get 404; an unsigned callback moves nothing; a
// media fetch that fails stays pending until the sweep stores it; past the retention the sweep deletes
// it (URL forgotten) and audits the deletion. The sweep runs here with a clock moved forward.
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS } from "../../actors/kernel/media.ts";
import { createLogger } from "../../actors/platform/logger.ts";
import { payloadDigest } from "../audit/chain.ts";
import { auditLog } from "../db/compliance-schema.ts";
import { callRecordings } from "../db/recording-schema.ts";
import { domainEvents } from "../db/schema.ts";
import { sweepRecordings } from "../telephony/recordings/sweep.ts";
import { buyerKey } from "./bidders.ts";
import { attr, telnyxPost, trackingNumber, twilioPost, voiceUrl } from "./carrier.ts";
import {
  call,
  createBuyer,
  createBuyerCampaign,
  createSeller,
  randomCaller,
  uniq,
  waitFor,
} from "./client.ts";
import { callIdOf, closeDb, sid, stackDb, voiceWebhook } from "./media-calls.ts";

const media = Buffer.from(Array.from({ length: 48_000 }, (_, i) => (i * 31 + (i >> 7)) % 256));
const mediaSha = createHash("sha256").update(media).digest("hex");
let failing = new Set<string>();
const server = createServer((req, res) => {
  if (failing.has(req.url ?? "")) return void res.writeHead(503).end("not yet");
  res.writeHead(200, { "content-type": "audio/x-wav" }).end(media);
});
let mediaBase = "";
const vertical = `rec_${uniq().slice(0, 8)}`;
let seller: Awaited<ReturnType<typeof createSeller>>;
let buyerId = "";
let number = "";

beforeAll(async () => {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  mediaBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  buyerId = await createBuyer();
  await createBuyerCampaign(buyerId, { vertical, recording: { enabled: true, retentionDays: 1 } });
  seller = await createSeller({ vertical });
  number = await trackingNumber(seller.sellerCampaignId);
});
afterAll(async () => {
  server.close();
  await closeDb();
});

/** A call on the tracking number, dialed to the recording buyer: its id and recording callback URL. */
async function recordedCall() {
  const answer = await voiceWebhook(number);
  expect(answer.status).toBe(200);
  expect(attr(answer.text, "Dial", "record")).toBe("record-from-answer-dual");
  expect(attr(answer.text, "Dial", "recordingStatusCallbackEvent")).toBe("completed");
  const callback = attr(answer.text, "Dial", "recordingStatusCallback") ?? "";
  return {
    callId: callIdOf(callback),
    callback,
    statusCallback: attr(answer.text, "Number", "statusCallback") ?? "",
  };
}

const recordingParams = (recordingSid: string, path: string) => ({
  AccountSid: "AC00000000000000000000000000000000",
  CallSid: sid("CA"),
  RecordingSid: recordingSid,
  RecordingUrl: `${mediaBase}${path}`,
  RecordingStatus: "completed",
  RecordingDuration: "95",
  RecordingChannels: "2",
  RecordingSource: "DialVerb",
});

const recordingsAs = (callId: string, key?: string) =>
  call<{ items: Record<string, unknown>[] }>("GET", `/v1/calls/${callId}/recordings`, key ? { key } : {});

const sweepDeps = () => ({
  db: stackDb(),
  logger: createLogger("e2e", "silent"),
  policy: { allowLocal: true },
  timeoutMs: 5000,
});

describe("call recordings", () => {
  it("stores the recording with the SHA-256 of its media in the audit chain; only the call's parties see it", async () => {
    const { callId, callback } = await recordedCall();
    const recordingSid = sid("RE");
    const params = recordingParams(recordingSid, `/media/${recordingSid}`);
    // Unsigned, or signed for other parameters: 403, and nothing is stored.
    expect((await twilioPost(callback, params, { signature: null })).status).toBe(403);
    const forged = await fetch(callback, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "AAAA" },
      body: new URLSearchParams(params).toString(),
    });
    expect(forged.status).toBe(403);
    expect(await stackDb().select().from(callRecordings).where(eq(callRecordings.callId, callId))).toEqual(
      [],
    );

    expect((await twilioPost(callback, params)).status).toBe(204);
    expect((await twilioPost(callback, params)).status).toBe(204); // the carrier retries: still one

    const seen = await recordingsAs(callId, seller.key);
    expect(seen.status).toBe(200);
    expect(seen.body.items).toEqual([
      expect.objectContaining({
        recordingSid,
        status: "stored",
        mediaUrl: params.RecordingUrl,
        sha256: mediaSha,
        durationSec: 95,
        channels: 2,
        deletedAt: null,
      }),
    ]);
    const retention = Date.parse(String(seen.body.items[0]?.retentionUntil));
    expect(retention - Date.parse(String(seen.body.items[0]?.reportedAt))).toBe(DAY_MS);
    const buyerView = await recordingsAs(callId, await buyerKey(buyerId));
    expect(buyerView.status).toBe(200);
    expect(buyerView.body.items[0]?.sha256).toBe(mediaSha);
    expect((await recordingsAs(callId)).status).toBe(200); // admin

    // Another buyer, another seller: the same 404 as for a call they cannot see.
    const stranger = await buyerKey(await createBuyer(0));
    const otherSeller = await createSeller({ vertical });
    expect((await recordingsAs(callId, stranger)).body).toMatchObject({ code: "call_unknown" });
    expect((await recordingsAs(callId, stranger)).status).toBe(404);
    expect((await recordingsAs(callId, otherSeller.key)).status).toBe(404);

    // The audit chain holds the event with the URL and hash, once, and verifies.
    const events = await stackDb()
      .select()
      .from(domainEvents)
      .where(and(eq(domainEvents.aggregateId, callId), eq(domainEvents.type, "recording.stored")));
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({ url: params.RecordingUrl, sha256: mediaSha, recordingSid });
    const rows = await stackDb().select().from(auditLog).where(eq(auditLog.eventId, events[0]!.eventId));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.payloadDigest).toBe(payloadDigest(events[0]?.data));
    const verify = await call<{ ok: boolean }>("GET", "/v1/audit/verify");
    expect(verify.body.ok).toBe(true);
  });

  it("keeps a recording pending when its media cannot be fetched, and the sweep stores it later", async () => {
    const { callId, callback } = await recordedCall();
    const recordingSid = sid("RE");
    const path = `/media/${recordingSid}`;
    failing = new Set([path]);
    expect((await twilioPost(callback, recordingParams(recordingSid, path))).status).toBe(204);
    const pending = await recordingsAs(callId, seller.key);
    expect(pending.body.items[0]).toMatchObject({ status: "pending", sha256: null });
    failing = new Set();
    // The sweep retries once the back-off (a minute after the first try) has passed.
    const swept = await sweepRecordings(sweepDeps(), () => Date.now() + 61_000);
    expect(swept.stored).toBeGreaterThanOrEqual(1);
    const stored = await recordingsAs(callId, seller.key);
    expect(stored.body.items[0]).toMatchObject({ status: "stored", sha256: mediaSha });
  });

  it("deletes recordings past their retention, forgets the URL and audits the deletion", async () => {
    const { callId, callback } = await recordedCall();
    const recordingSid = sid("RE");
    expect((await twilioPost(callback, recordingParams(recordingSid, `/media/${recordingSid}`))).status).toBe(
      204,
    );
    // Not yet: a day less a minute later nothing of this call's goes.
    await sweepRecordings(sweepDeps(), () => Date.now() + DAY_MS - 60_000);
    expect((await recordingsAs(callId, seller.key)).body.items[0]).toMatchObject({ status: "stored" });
    const swept = await sweepRecordings(sweepDeps(), () => Date.now() + DAY_MS + 60_000);
    expect(swept.deleted).toBeGreaterThanOrEqual(1);
    const gone = (await recordingsAs(callId, seller.key)).body.items[0];
    expect(gone).toMatchObject({ status: "deleted", mediaUrl: null, sha256: mediaSha });
    expect(gone?.deletedAt).toEqual(expect.any(String));
    const deleted = await stackDb()
      .select()
      .from(domainEvents)
      .where(and(eq(domainEvents.aggregateId, callId), eq(domainEvents.type, "recording.deleted")));
    expect(deleted).toHaveLength(1);
    expect(deleted[0]?.data).toMatchObject({ recordingSid, sha256: mediaSha, reason: "retention" });
    expect(
      await stackDb().select().from(auditLog).where(eq(auditLog.eventId, deleted[0]!.eventId)),
    ).toHaveLength(1);
    expect((await call<{ ok: boolean }>("GET", "/v1/audit/verify")).body.ok).toBe(true);
  });

  it("stores a recording reported after the finished call's live record expired, for the same parties", async () => {
    const { callId, callback, statusCallback } = await recordedCall();
    const legSid = sid("CA");
    await twilioPost(statusCallback, { CallSid: legSid, CallStatus: "in-progress" });
    await twilioPost(statusCallback, { CallSid: legSid, CallStatus: "completed", CallDuration: "95" });
    // The stack the tests start keeps a finished call's documents 20 s; then the history answers.
    const archived = await waitFor(
      () => call<{ archived?: boolean }>("GET", `/v1/calls/${callId}`),
      (r) => r.body.archived === true,
      60_000,
    );
    expect(archived.body.archived).toBe(true);
    const recordingSid = sid("RE");
    expect((await twilioPost(callback, recordingParams(recordingSid, `/media/${recordingSid}`))).status).toBe(
      204,
    );
    expect((await recordingsAs(callId, seller.key)).body.items[0]).toMatchObject({
      recordingSid,
      sha256: mediaSha,
    });
    expect((await recordingsAs(callId, await buyerKey(buyerId))).body.items).toHaveLength(1);
  }, 90_000);

  it("does not record a call when neither campaign asks for it", async () => {
    const plainVertical = `rec_off_${uniq().slice(0, 8)}`;
    await createBuyerCampaign(await createBuyer(), { vertical: plainVertical });
    const plain = await createSeller({ vertical: plainVertical });
    const answer = await voiceWebhook(await trackingNumber(plain.sellerCampaignId));
    expect(answer.text).toContain("<Dial");
    expect(attr(answer.text, "Dial", "record")).toBeUndefined();
    expect(attr(answer.text, "Dial", "recordingStatusCallback")).toBeUndefined();
  });

  it("records when only the seller campaign asks for it, and takes Telnyx's signed callback too", async () => {
    const sellerVertical = `rec_sel_${uniq().slice(0, 8)}`;
    // Any state: Telnyx's webhook carries no caller state.
    await createBuyerCampaign(await createBuyer(), { vertical: sellerVertical, states: [] });
    const recording = await createSeller({
      vertical: sellerVertical,
      recording: { enabled: true, retentionDays: 30 },
    });
    const to = await trackingNumber(recording.sellerCampaignId);
    const answer = await telnyxPost(voiceUrl("telnyx"), {
      CallSid: sid("v3:"),
      AccountSid: "telnyx-account",
      From: randomCaller(),
      To: to,
      CallStatus: "ringing",
      Direction: "inbound",
    });
    expect(attr(answer.text, "Dial", "record"), answer.text).toBe("record-from-answer-dual");
    const callback = attr(answer.text, "Dial", "recordingStatusCallback") ?? "";
    expect(callback).toContain("/v1/telephony/telnyx/calls/");
    const recordingSid = sid("RE");
    expect((await telnyxPost(callback, recordingParams(recordingSid, `/media/${recordingSid}`))).status).toBe(
      204,
    );
    const items = (await recordingsAs(callIdOf(callback), recording.key)).body.items;
    expect(items[0]).toMatchObject({ recordingSid, status: "stored", sha256: mediaSha });
    expect(Date.parse(String(items[0]?.retentionUntil)) - Date.parse(String(items[0]?.reportedAt))).toBe(
      30 * DAY_MS,
    );
  });
});
