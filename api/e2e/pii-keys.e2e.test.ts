// Keys for personal data through the real stack: the stored offer request hash is keyed (the plain
// SHA-256 of the body, which holds the number, is nowhere), replays still answer; export and erasure
// take the number in the body, and erasure leaves no keyed hash of it in Redis or Postgres, even when
// the offer's events land after the erasure and when a replay arrives after it.
import { createHash } from "node:crypto";
import { join } from "node:path";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../actors/kernel/canonical-json.ts";
import { phoneHash } from "../../actors/platform/pii.ts";
import { loadOrCreateSecrets, piiKeysOf } from "../../scripts/stack/secrets.ts";
import { OfferCall } from "../schemas/calls.ts";
import { pidOf } from "./chaos.ts";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller, uniq } from "./client.ts";
import { complete, type Decision, eventually, offer, sqlClient, vertical } from "./compliance-helpers.ts";
import { postgresHits, redisHits } from "./scan.ts";
import { STATE_DIR } from "./stack.ts";

// The stack's own keys: the tests compute the keyed hashes the stack must (not) have left behind.
const keys = piiKeysOf(loadOrCreateSecrets(join(STATE_DIR, "secrets.env")));

async function market() {
  const v_ = vertical();
  const buyer = await createBuyer(1_000_000_000);
  await createBuyerCampaign(buyer, { vertical: v_, states: [] });
  return createSeller({ vertical: v_, requireConsent: false });
}

describe("keyed offer request hashes", () => {
  it("stores the HMAC of the body, never its SHA-256; a replay answers the same, another body 409", async () => {
    const seller = await market();
    const body = {
      sellerCampaignId: seller.sellerCampaignId,
      callerNumber: randomCaller("786"),
      callerState: "FL",
    };
    const canonical = canonicalJson(v.parse(OfferCall, body));
    const plain = createHash("sha256").update(canonical).digest("hex");
    const keyed = keys.mac("rh1_", `offer\u0000${canonical}`);
    const idempotencyKey = uniq();
    const first = await call<Decision>("POST", "/v1/calls", { key: seller.key, idempotencyKey, body });
    expect(first.status).toBe(201);

    expect((await redisHits([keyed])).some((hit) => hit.includes(`CallActor||${first.body.callId}`))).toBe(
      true,
    );
    expect(await redisHits([plain])).toEqual([]);
    expect(await postgresHits([plain])).toEqual([]);

    const again = await call<Decision>("POST", "/v1/calls", { key: seller.key, idempotencyKey, body });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const other = await call<{ code: string }>("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey,
      body: { ...body, callerState: "GA" },
    });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe("idempotency_conflict");
  }, 120_000);
});

describe("data-subject erasure by body", () => {
  it("leaves no keyed hash of the number anywhere, also after late events and a replay", async () => {
    const seller = await market();
    const number = randomCaller("786");
    const hash = phoneHash(keys, number);
    const consent = await call("POST", "/v1/compliance/consents", {
      key: seller.key,
      body: {
        certificateId: `cert-${uniq()}`,
        callerNumber: number,
        obtainedAt: new Date(Date.now() - 60_000).toISOString(),
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    expect(consent.status).toBe(201);
    const firstKey = uniq();
    const firstBody = { sellerCampaignId: seller.sellerCampaignId, callerNumber: number, callerState: "FL" };
    const first = await call<Decision>("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: firstKey,
      body: firstBody,
    });
    expect(first.body.status).toBe("routed");
    await complete(seller.key, first.body.callId, 125);

    const exported = await eventually(async () => {
      const r = await call<{ calls: { callId: string }[]; subject: { phoneNumber: string } }>(
        "POST",
        "/v1/compliance/subjects/export",
        { body: { phoneNumber: number } },
      );
      return r.body.calls?.length === 1 ? r.body : undefined;
    });
    expect(exported.subject.phoneNumber).toBe(number);
    expect(exported.calls[0]?.callId).toBe(first.body.callId);
    // The scans can see the hash while it is held: empty answers below mean something.
    const before = await redisHits([hash]);
    expect(before.some((h) => h.includes("CallActor"))).toBe(true);
    expect(before.some((h) => h.includes("dce:seen:"))).toBe(true);
    expect(await postgresHits([hash])).not.toEqual([]);

    // A second offer whose events are still in flight (the events app paused) when the erasure runs.
    const events = pidOf("exchange-events");
    process.kill(events, "SIGSTOP");
    let late: Decision;
    let erased: Record<string, unknown>;
    try {
      late = (await offer(seller, number)).body;
      const r = await call<Record<string, unknown>>("POST", "/v1/compliance/subjects/erase", {
        body: { phoneNumber: number },
      });
      expect(r.status).toBe(200);
      erased = r.body;
    } finally {
      process.kill(events, "SIGCONT");
    }
    expect(erased).toMatchObject({ keyShredded: true, callsTombstoned: 2, consentsRestricted: 1 });
    expect(erased.callDocumentsCleared).toBe(2);
    const sql = sqlClient();
    try {
      await eventually(async () => {
        const rows =
          await sql`select 1 from domain_events where aggregate_id = ${late.callId} and type = 'call.offered'`;
        return rows.length === 1 ? true : undefined;
      }, 60_000);
      const [row] = await sql`select caller_hash from calls where call_id = ${late.callId}`;
      expect(row?.caller_hash).toBe("erased");
    } finally {
      await sql.end();
    }

    // A replay of the first offer after the erasure still answers, and puts nothing back.
    const replay = await call<Decision>("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: firstKey,
      body: firstBody,
    });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);

    expect(await redisHits([hash])).toEqual([]);
    expect(await postgresHits([hash])).toEqual([]);
    const after = await call<Record<string, unknown>>("POST", "/v1/compliance/subjects/export", {
      body: { phoneNumber: number },
    });
    expect(after.body).toMatchObject({ subject: { encryptionKeyHeld: false }, calls: [], consents: [] });
    // The call records stay, without the subject.
    expect((await call("GET", `/v1/calls/${first.body.callId}`)).status).toBe(200);
  }, 240_000);

  it("a replay of an erased call wipes nothing the number did after the erasure", async () => {
    const seller = await market();
    const number = randomCaller("786");
    const body = { sellerCampaignId: seller.sellerCampaignId, callerNumber: number, callerState: "FL" };
    const oldKey = uniq();
    const old = await call<Decision>("POST", "/v1/calls", { key: seller.key, idempotencyKey: oldKey, body });
    expect(old.body.status).toBe("routed");
    const erased = await call("POST", "/v1/compliance/subjects/erase", { body: { phoneNumber: number } });
    expect(erased.status).toBe(200);

    // The same person calls again after the erasure: a new subject key holds that call's number.
    const fresh = await call<Decision>("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: uniq(),
      body,
    });
    expect(fresh.body.status).toBe("routed");
    const held = () =>
      call<{ subject: { encryptionKeyHeld: boolean } }>("POST", "/v1/compliance/subjects/export", {
        body: { phoneNumber: number },
      });
    expect((await held()).body.subject.encryptionKeyHeld).toBe(true);

    // The seller replays the erased call: the stored decision, and the new call's key is still there.
    const replay = await call<Decision>("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: oldKey,
      body,
    });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(old.body);
    expect((await held()).body.subject.encryptionKeyHeld).toBe(true);
  }, 120_000);

  it("refuses a body without a valid number", async () => {
    const r = await call<{ code: string }>("POST", "/v1/compliance/subjects/erase", {
      body: { phoneNumber: "not a number" },
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("validation_failed");
  });
});
