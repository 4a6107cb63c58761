// Tracking numbers through the real stack: assign, refuse a duplicate, list and get, reassign, release
// and assign again, a CSV import with bad rows, each seller kept to its own numbers, buyers refused,
// and every change in the audit chain.
import { describe, expect, it } from "vitest";
import { call, createBuyer, createSeller, randomCaller } from "./client.ts";
import { API } from "./stack.ts";

interface NumberView {
  number: string;
  sellerId: string;
  sellerCampaignId: string;
  tags: string[];
  status: "active" | "released";
  releasedAt: string | null;
}
interface Page {
  items: NumberView[];
  nextCursor: string | null;
}
type Problem = { code: string };

const path = (n: string) => `/v1/numbers/${encodeURIComponent(n)}`;

async function importCsv(key: string, text: string) {
  const res = await fetch(`${API}/v1/numbers/import`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "text/csv" },
    body: text,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function secondCampaign(seller: { sellerId: string; key: string }) {
  const res = await call<{ id: string }>("POST", `/v1/sellers/${seller.sellerId}/campaigns`, {
    key: seller.key,
    body: { name: "second", vertical: "e2e_vertical", payout: { type: "fixed", amountMicros: 1 } },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

describe("tracking numbers", () => {
  it("assigns, refuses a duplicate, lists, gets, reassigns, releases and assigns again", async () => {
    const seller = await createSeller();
    const other = await createSeller();
    const number = randomCaller("212");
    const created = await call<NumberView>("POST", "/v1/numbers", {
      key: seller.key,
      body: { number, sellerCampaignId: seller.sellerCampaignId, tags: ["tv", "ny", "tv"] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      number,
      sellerId: seller.sellerId,
      sellerCampaignId: seller.sellerCampaignId,
      tags: ["tv", "ny"],
      status: "active",
      releasedAt: null,
    });

    const again = await call<Problem>("POST", "/v1/numbers", {
      key: other.key,
      body: { number, sellerCampaignId: other.sellerCampaignId },
    });
    expect(again).toMatchObject({ status: 409, body: { code: "number_taken" } });

    const listed = await call<Page>("GET", `/v1/numbers?sellerCampaignId=${seller.sellerCampaignId}`, {
      key: seller.key,
    });
    expect(listed.body.items.map((n) => n.number)).toEqual([number]);
    const got = await call<NumberView>("GET", path(number), { key: seller.key });
    expect(got).toMatchObject({ status: 200, body: { number, status: "active" } });
    const unencoded = await call<NumberView>("GET", `/v1/numbers/${number}`, { key: seller.key });
    expect(unencoded).toMatchObject({ status: 200, body: { number } });

    const second = await secondCampaign(seller);
    const moved = await call<NumberView>("PATCH", path(number), {
      key: seller.key,
      body: { sellerCampaignId: second, tags: ["radio"] },
    });
    expect(moved).toMatchObject({ status: 200, body: { sellerCampaignId: second, tags: ["radio"] } });
    const toOthers = await call<Problem>("PATCH", path(number), {
      key: seller.key,
      body: { sellerCampaignId: other.sellerCampaignId },
    });
    expect(toOthers).toMatchObject({ status: 404, body: { code: "seller_campaign_unknown" } });

    const released = await call<NumberView>("DELETE", path(number), { key: seller.key });
    expect(released).toMatchObject({ status: 200, body: { number, status: "released" } });
    expect(released.body.releasedAt).not.toBeNull();
    const releasedAgain = await call<NumberView>("DELETE", path(number), { key: seller.key });
    expect(releasedAgain).toMatchObject({ status: 200, body: { status: "released" } });
    const patchReleased = await call<Problem>("PATCH", path(number), {
      key: seller.key,
      body: { tags: ["x"] },
    });
    expect(patchReleased).toMatchObject({ status: 409, body: { code: "number_released" } });

    const reassigned = await call<NumberView>("POST", "/v1/numbers", {
      key: other.key,
      body: { number, sellerCampaignId: other.sellerCampaignId },
    });
    expect(reassigned).toMatchObject({ status: 201, body: { sellerId: other.sellerId, status: "active" } });
    // The first seller still sees its released assignment; the second its active one.
    expect((await call<NumberView>("GET", path(number), { key: seller.key })).body.status).toBe("released");
    expect((await call<NumberView>("GET", path(number), { key: other.key })).body.status).toBe("active");
    const mineActive = await call<Page>("GET", "/v1/numbers?status=active", { key: seller.key });
    expect(mineActive.body.items.map((n) => n.number)).not.toContain(number);

    const audit = await call<{ items: { type: string }[] }>(
      "GET",
      `/v1/audit?aggregateId=${seller.sellerId}`,
    );
    expect(audit.body.items.map((r) => r.type).filter((t) => t.startsWith("seller.number_"))).toEqual([
      "seller.number_assigned",
      "seller.number_reassigned",
      "seller.number_released",
    ]);
  });

  it("pages a seller's numbers with a cursor", async () => {
    const seller = await createSeller();
    const numbers = [randomCaller("312"), randomCaller("312"), randomCaller("312")];
    for (const number of numbers) {
      const r = await call("POST", "/v1/numbers", {
        key: seller.key,
        body: { number, sellerCampaignId: seller.sellerCampaignId },
      });
      expect(r.status).toBe(201);
    }
    const first = await call<Page>("GET", "/v1/numbers?limit=2", { key: seller.key });
    expect(first.body.items.map((n) => n.number)).toEqual(numbers.slice(0, 2));
    expect(first.body.nextCursor).not.toBeNull();
    const next = await call<Page>("GET", `/v1/numbers?limit=2&cursor=${first.body.nextCursor}`, {
      key: seller.key,
    });
    expect(next.body).toEqual({ items: [expect.objectContaining({ number: numbers[2] })], nextCursor: null });
  });

  it("imports a CSV file row by row: a bad row is refused and the others are created", async () => {
    const seller = await createSeller();
    const other = await createSeller();
    const [a, b, taken] = [randomCaller("415"), randomCaller("415"), randomCaller("415")];
    await call("POST", "/v1/numbers", {
      key: other.key,
      body: { number: taken, sellerCampaignId: other.sellerCampaignId },
    });
    const csv = [
      "number,sellerCampaignId,tags",
      `${a},${seller.sellerCampaignId},tv;ny`,
      `5551234,${seller.sellerCampaignId},`,
      `${taken},${seller.sellerCampaignId},`,
      `${randomCaller("415")},${other.sellerCampaignId},`,
      `${b},${seller.sellerCampaignId},`,
    ].join("\n");
    const r = await importCsv(seller.key, csv);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      created: 2,
      refused: 3,
      rows: [
        { line: 2, number: a, outcome: "created", item: { tags: ["tv", "ny"], sellerId: seller.sellerId } },
        { line: 3, outcome: "refused", problem: { status: 400, code: "validation_failed" } },
        { line: 4, number: taken, outcome: "refused", problem: { status: 409, code: "number_taken" } },
        { line: 5, outcome: "refused", problem: { status: 404, code: "seller_campaign_unknown" } },
        { line: 6, number: b, outcome: "created" },
      ],
    });
    const listed = await call<Page>("GET", "/v1/numbers", { key: seller.key });
    expect(listed.body.items.map((n) => n.number)).toEqual([a, b]);
  });

  it("keeps seller B's number from seller A (404, never shown) and refuses buyers", async () => {
    const a = await createSeller();
    const b = await createSeller();
    const number = randomCaller("617");
    expect(
      (
        await call("POST", "/v1/numbers", {
          key: b.key,
          body: { number, sellerCampaignId: b.sellerCampaignId },
        })
      ).status,
    ).toBe(201);
    // A cannot assign to B's campaign, read, move, retag or release B's number, nor list it.
    const onB = await call<Problem>("POST", "/v1/numbers", {
      key: a.key,
      body: { number: randomCaller("617"), sellerCampaignId: b.sellerCampaignId },
    });
    expect(onB).toMatchObject({ status: 404, body: { code: "seller_campaign_unknown" } });
    expect(await call<Problem>("GET", path(number), { key: a.key })).toMatchObject({
      status: 404,
      body: { code: "number_unknown" },
    });
    const move = await call<Problem>("PATCH", path(number), {
      key: a.key,
      body: { sellerCampaignId: a.sellerCampaignId },
    });
    expect(move).toMatchObject({ status: 404, body: { code: "number_unknown" } });
    expect(await call<Problem>("DELETE", path(number), { key: a.key })).toMatchObject({
      status: 404,
      body: { code: "number_unknown" },
    });
    const listA = await call<Page>("GET", `/v1/numbers?sellerCampaignId=${b.sellerCampaignId}`, {
      key: a.key,
    });
    expect(listA.body.items).toEqual([]);
    expect((await call("GET", `/v1/numbers?sellerId=${b.sellerId}`, { key: a.key })).status).toBe(403);
    expect((await call<NumberView>("GET", path(number), { key: b.key })).body.status).toBe("active");

    const buyerId = await createBuyer(0);
    const buyerKey = await call<{ key: string }>("POST", "/v1/api-keys", {
      body: { accountId: buyerId, role: "buyer" },
    });
    for (const [method, p, body] of [
      ["GET", "/v1/numbers", undefined],
      ["GET", path(number), undefined],
      ["POST", "/v1/numbers", { number: randomCaller("617"), sellerCampaignId: b.sellerCampaignId }],
      ["PATCH", path(number), { tags: ["x"] }],
      ["DELETE", path(number), undefined],
    ] as const) {
      const r = await call<Problem>(method, p, { key: buyerKey.body.key, body });
      expect(r, `${method} ${p}`).toMatchObject({ status: 403, body: { code: "forbidden" } });
    }
    const csv = await importCsv(buyerKey.body.key, "number,sellerCampaignId\n");
    expect(csv.status).toBe(403);
  });

  it("lets an admin move a number to another seller's campaign", async () => {
    const a = await createSeller();
    const b = await createSeller();
    const number = randomCaller("718");
    await call("POST", "/v1/numbers", { key: a.key, body: { number, sellerCampaignId: a.sellerCampaignId } });
    const moved = await call<NumberView>("PATCH", path(number), {
      body: { sellerCampaignId: b.sellerCampaignId },
    });
    expect(moved).toMatchObject({
      status: 200,
      body: { sellerId: b.sellerId, sellerCampaignId: b.sellerCampaignId },
    });
    expect((await call<Problem>("GET", path(number), { key: a.key })).status).toBe(404);
    expect((await call<NumberView>("GET", path(number), { key: b.key })).body.status).toBe("active");
    const all = await call<Page>(`GET`, `/v1/numbers?sellerId=${b.sellerId}`);
    expect(all.body.items.map((n) => n.number)).toEqual([number]);
  });
});
