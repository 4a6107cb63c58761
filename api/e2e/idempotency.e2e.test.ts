// Idempotency-Key on every POST that creates calls or moves money, through the real stack: the same key
// and body replays the first answer; the same key with another body is a 409 idempotency_conflict.
import { describe, expect, it } from "vitest";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller, uniq } from "./client.ts";

describe("Idempotency-Key", () => {
  it("POST /v1/calls: same key and body → same call; another body → 409", async () => {
    const vertical = `idem_${uniq().slice(0, 8)}`;
    const buyer = await createBuyer();
    await createBuyerCampaign(buyer, { vertical });
    const seller = await createSeller({ vertical });
    const key = uniq();
    const body = {
      sellerCampaignId: seller.sellerCampaignId,
      callerNumber: randomCaller(),
      callerState: "FL",
    };
    const first = await call<{ callId: string }>("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: key,
      body,
    });
    const again = await call("POST", "/v1/calls", { key: seller.key, idempotencyKey: key, body });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const other = await call("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: key,
      body: { ...body, callerNumber: randomCaller() },
    });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: "idempotency_conflict" });
    const otherState = await call("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: key,
      body: { ...body, callerState: "GA" },
    });
    expect(otherState.status).toBe(409);
    expect(otherState.body).toMatchObject({ code: "idempotency_conflict" });
  });

  it("POST /v1/buyers/{id}/deposits: same key and amount → one deposit; another amount → 409", async () => {
    const buyer = await createBuyer(0);
    const key = uniq();
    const first = await call("POST", `/v1/buyers/${buyer}/deposits`, {
      idempotencyKey: key,
      body: { amountMicros: 5_000_000 },
    });
    const again = await call("POST", `/v1/buyers/${buyer}/deposits`, {
      idempotencyKey: key,
      body: { amountMicros: 5_000_000 },
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id: (first.body as { id: string }).id });
    const other = await call("POST", `/v1/buyers/${buyer}/deposits`, {
      idempotencyKey: key,
      body: { amountMicros: 6_000_000 },
    });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: "idempotency_conflict" });
    const balance = await call<{ balanceMicros: number }>("GET", `/v1/buyers/${buyer}/balance`);
    expect(balance.body.balanceMicros).toBe(5_000_000);
  });

  it("POST /v1/payouts: same key and body → the same run; another body → 409", async () => {
    const seller = await createSeller();
    const key = uniq();
    const body = { sellerIds: [seller.sellerId] };
    const first = await call("POST", "/v1/payouts", { idempotencyKey: key, body });
    const again = await call("POST", "/v1/payouts", { idempotencyKey: key, body });
    expect(first.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const other = await call("POST", "/v1/payouts", { idempotencyKey: key, body: {} });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: "idempotency_conflict" });
  });

  it("refuses money and call POSTs without a key", async () => {
    const buyer = await createBuyer(0);
    expect((await call("POST", `/v1/buyers/${buyer}/deposits`, { body: { amountMicros: 1 } })).status).toBe(
      400,
    );
    expect((await call("POST", "/v1/payouts", { body: {} })).body).toMatchObject({
      code: "idempotency_key_required",
    });
  });
});
