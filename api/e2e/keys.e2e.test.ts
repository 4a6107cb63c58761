// Key lifecycle through the real stack and a second API replica (in this process, on the same Redis and
// Postgres): a revocation on one replica stops the key on both and closes its live sessions there;
// rotation keeps the old key for its overlap only; expiry; partners manage only their own keys; failed
// authentication is limited per address before any database query; /metrics wants an admin key.
import { randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeApiKey } from "../keys.ts";
import { buyerKey, liveBidder, sleep } from "./bidders.ts";
import { call, createBuyer } from "./client.ts";
import { getFrom, startReplica } from "./replica.ts";
import { API, adminKey } from "./stack.ts";

let replica: Awaited<ReturnType<typeof startReplica>>;
beforeAll(async () => {
  replica = await startReplica({ DCE_AUTH_FAILURES_MAX: "10000" }); // as loose as the local stack's
});
afterAll(async () => {
  await replica?.stop();
});

async function at<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  key: string,
  body?: unknown,
) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

const keyIdOf = async (buyerId: string, key: string) => {
  const list = await call<{ items: { id: string; prefix: string }[] }>(
    "GET",
    `/v1/api-keys?accountId=${buyerId}`,
  );
  const prefix = key.split("_")[2];
  return list.body.items.find((k) => k.prefix === prefix)!.id;
};

describe("key revocation", () => {
  it("stops a key on every replica and closes its live sessions there, long before any cache TTL", async () => {
    const buyerId = await createBuyer(0);
    const key = await buyerKey(buyerId);
    const keyId = await keyIdOf(buyerId, key);
    // Both replicas resolve (and cache) the key, and each holds a live session of it.
    expect((await at(API, "GET", `/v1/buyers/${buyerId}`, key)).status).toBe(200);
    expect((await at(replica.base, "GET", `/v1/buyers/${buyerId}`, key)).status).toBe(200);
    const onStack = await liveBidder({ key });
    const onReplica = await liveBidder({ key, base: replica.base, viaSubprotocol: true });

    const started = performance.now();
    const revoked = await at<{ revokedAt: string }>(
      replica.base,
      "POST",
      `/v1/api-keys/${keyId}/revoke`,
      adminKey(),
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));

    // The other process heard it: its session is closed, and it refuses the key it had cached for 30 s.
    expect(await onStack.closed).toEqual({ code: 1008, reason: "key revoked" });
    const closedAfterMs = performance.now() - started;
    expect(await onReplica.closed).toEqual({ code: 1008, reason: "key revoked" });
    expect((await at(API, "GET", `/v1/buyers/${buyerId}`, key)).status).toBe(401);
    expect((await at(replica.base, "GET", `/v1/buyers/${buyerId}`, key)).status).toBe(401);
    console.log(
      `revocation: the other replica's live session closed ${closedAfterMs.toFixed(0)} ms after the revoke answered`,
    );
    // Revoking again keeps the first instant.
    const again = await call<{ revokedAt: string }>("POST", `/v1/api-keys/${keyId}/revoke`);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
  });
});

describe("a missed revocation message", () => {
  it("cannot leave a revoked key cached: a replica that lost its subscription forgets every key", async () => {
    const buyerId = await createBuyer(0);
    const key = await buyerKey(buyerId);
    const keyId = await keyIdOf(buyerId, key);
    expect((await at(replica.base, "GET", `/v1/buyers/${buyerId}`, key)).status).toBe(200); // cached
    // The replica's subscriber connection drops; meanwhile the key is revoked and the message is lost
    // (written straight to the database, published nowhere).
    const reset = new Promise<void>((resolve) => {
      const off = replica.keyEvents.on((e) => {
        if (e.type !== "reset") return;
        off();
        resolve();
      });
    });
    const clients = String(await replica.redis.client("LIST"));
    const id = /id=(\d+) .*name=(\S+)/
      .exec(clients.split("\n").find((l) => l.includes(`name=${replica.keyEventsName} `)) ?? "")
      ?.at(1);
    expect(id).toBeDefined();
    await replica.redis.client("KILL", "ID", id!);
    await reset;
    await revokeApiKey(replica.db, keyId, Date.now());
    expect((await at(replica.base, "GET", `/v1/buyers/${buyerId}`, key)).status).toBe(401);
    await replica.keyEvents.ready();
  });
});

describe("key rotation and expiry", () => {
  it("keeps the old key working for the overlap only, then closes its sessions; the new key stays", async () => {
    const buyerId = await createBuyer(0);
    const oldKey = await buyerKey(buyerId);
    const oldId = await keyIdOf(buyerId, oldKey);
    expect((await at(replica.base, "GET", `/v1/buyers/${buyerId}`, oldKey)).status).toBe(200);
    const session = await liveBidder({ key: oldKey });

    // The buyer rotates its own key (self-service); the new key is shown once, with the same role.
    const rotated = await at<{ key: string; role: string; replaces: { id: string; expiresAt: string } }>(
      API,
      "POST",
      `/v1/api-keys/${oldId}/rotate`,
      oldKey,
      { overlapSec: 2 },
    );
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ role: "buyer", accountId: buyerId, replaces: { id: oldId } });
    const newKey = rotated.body.key;
    for (const base of [API, replica.base]) {
      expect((await at(base, "GET", `/v1/buyers/${buyerId}`, newKey)).status).toBe(200);
      expect((await at(base, "GET", `/v1/buyers/${buyerId}`, oldKey)).status).toBe(200); // overlap
    }
    const until = Date.parse(rotated.body.replaces.expiresAt);
    expect(await session.closed).toEqual({ code: 1008, reason: "key expired" });
    await sleep(Math.max(0, until - Date.now()) + 50);
    for (const base of [API, replica.base]) {
      expect((await at(base, "GET", `/v1/buyers/${buyerId}`, oldKey)).status).toBe(401);
      expect((await at(base, "GET", `/v1/buyers/${buyerId}`, newKey)).status).toBe(200);
    }
    const again = await call("POST", `/v1/api-keys/${oldId}/rotate`, { body: {} });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: "key_inactive" });
  });

  it("ends a key at the expiresAt it was created with, and refuses one in the past", async () => {
    const buyerId = await createBuyer(0);
    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    const created = await call<{ key: string; expiresAt: string }>("POST", "/v1/api-keys", {
      body: { accountId: buyerId, role: "buyer", expiresAt },
    });
    expect(created.status).toBe(201);
    expect(created.body.expiresAt).toBe(expiresAt);
    expect((await at(replica.base, "GET", `/v1/buyers/${buyerId}`, created.body.key)).status).toBe(200);
    await sleep(Math.max(0, Date.parse(expiresAt) - Date.now()) + 50);
    expect((await at(replica.base, "GET", `/v1/buyers/${buyerId}`, created.body.key)).status).toBe(401);
    expect((await at(API, "GET", `/v1/buyers/${buyerId}`, created.body.key)).status).toBe(401);
    const past = await call("POST", "/v1/api-keys", {
      body: { accountId: buyerId, role: "buyer", expiresAt: new Date(Date.now() - 1_000).toISOString() },
    });
    expect(past.status).toBe(400);
    expect(past.body).toMatchObject({ code: "validation_failed" });
  });

  it("a rotated key keeps the expiry of the key it replaces: rotation renews the secret, not the term", async () => {
    const buyerId = await createBuyer(0);
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await call<{ id: string; key: string }>("POST", "/v1/api-keys", {
      body: { accountId: buyerId, role: "buyer", expiresAt },
    });
    expect(created.status).toBe(201);
    const rotated = await at<{ id: string; expiresAt: string | null }>(
      API,
      "POST",
      `/v1/api-keys/${created.body.id}/rotate`,
      created.body.key,
      { overlapSec: 60 },
    );
    expect(rotated.status).toBe(201);
    expect(rotated.body.expiresAt).toBe(expiresAt);
    const listed = await call<{ items: { id: string; expiresAt: string | null }[] }>(
      "GET",
      `/v1/api-keys?accountId=${buyerId}`,
    );
    expect(listed.body.items.find((k) => k.id === rotated.body.id)?.expiresAt).toBe(expiresAt);
  });
});

describe("who manages which keys", () => {
  it("lets a buyer list and revoke only its own keys, never another account's or an admin's", async () => {
    const [mine, theirs] = await Promise.all([createBuyer(0), createBuyer(0)]);
    const myKey = await buyerKey(mine);
    const theirKey = await buyerKey(theirs);
    const theirId = await keyIdOf(theirs, theirKey);
    const admin = await call<{ id: string }>("POST", "/v1/api-keys", { body: { role: "admin" } });

    const own = await at<{ items: Record<string, unknown>[] }>(API, "GET", "/v1/api-keys", myKey);
    expect(own.status).toBe(200);
    expect(own.body.items).toHaveLength(1);
    expect(Object.keys(own.body.items[0]!).sort()).toEqual(
      ["accountId", "createdAt", "expiresAt", "id", "lastUsedAt", "prefix", "revokedAt", "role"].sort(),
    );
    expect(JSON.stringify(own.body)).not.toContain(myKey.split("_")[3]!);
    // lastUsedAt: written when a replica resolves the key afresh (the list request above did).
    let used = own.body.items[0]!.lastUsedAt;
    for (let i = 0; i < 20 && !used; i++) {
      await sleep(100);
      used = (await at<{ items: { lastUsedAt: string | null }[] }>(API, "GET", "/v1/api-keys", myKey)).body
        .items[0]!.lastUsedAt;
    }
    expect(Date.parse(String(used))).toBeGreaterThan(Date.now() - 60_000);
    // An admin's list without an account is the admin keys.
    const admins = await call<{ items: { id: string; role: string }[] }>("GET", "/v1/api-keys");
    expect(admins.body.items.map((k) => k.id)).toContain(admin.body.id);
    expect(new Set(admins.body.items.map((k) => k.role))).toEqual(new Set(["admin"]));

    expect((await at(API, "GET", `/v1/api-keys?accountId=${theirs}`, myKey)).status).toBe(403);
    for (const action of ["revoke", "rotate"]) {
      const res = await at(API, "POST", `/v1/api-keys/${theirId}/${action}`, myKey, {});
      expect(res.status).toBe(404);
      const adminRes = await at(API, "POST", `/v1/api-keys/${admin.body.id}/${action}`, myKey, {});
      expect(adminRes.status).toBe(404);
    }
    expect((await at(API, "GET", `/v1/buyers/${theirs}`, theirKey)).status).toBe(200);
    expect((await at(API, "POST", "/v1/api-keys", myKey, { role: "admin" })).status).toBe(403);
    expect((await call("POST", `/v1/api-keys/${admin.body.id}/revoke`)).status).toBe(200);
  });
});

describe("failed authentication", () => {
  it("is limited per client address with 429 and Retry-After, before any database query", async () => {
    const strict = await startReplica({ DCE_AUTH_FAILURES_MAX: "5", DCE_AUTH_FAILURES_WINDOW_SEC: "60" });
    try {
      await lockOut(strict);
    } finally {
      await strict.stop();
    }
  });
});

/** Fails authentication from one address until `replica` locks it out, counting its queries. */
async function lockOut(replica: Awaited<ReturnType<typeof startReplica>>) {
  const buyerId = await createBuyer(0);
  const goodKey = await buyerKey(buyerId);
  const from = `127.${randomInt(1, 250)}.${randomInt(1, 250)}.${randomInt(2, 250)}`;
  const other = `127.${randomInt(1, 250)}.${randomInt(1, 250)}.${randomInt(2, 250)}`;
  const url = `${replica.base}/v1/buyers/${buyerId}`;
  const unknownKey = `dce_buyer_${"0".repeat(12)}_${"x".repeat(32)}`;
  for (let i = 0; i < 5; i++) {
    const before = replica.counter.queries;
    expect((await getFrom(from, url, unknownKey)).status).toBe(401);
    expect(replica.counter.queries).toBeGreaterThan(before); // an unknown key is looked up
  }
  const before = replica.counter.queries;
  const limited = await getFrom(from, url, unknownKey);
  expect(limited.status).toBe(429);
  expect(limited.body).toMatchObject({ code: "auth_failures_limited" });
  expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(1);
  // Even a valid key is not looked up from a locked-out address; another address is unaffected.
  expect((await getFrom(from, url, goodKey)).status).toBe(429);
  // A forged X-Forwarded-For does not buy a fresh budget: no proxy is trusted by default.
  expect((await getFrom(from, url, unknownKey, { "x-forwarded-for": other })).status).toBe(429);
  expect(replica.counter.queries).toBe(before);
  expect((await getFrom(other, url, unknownKey)).status).toBe(401);
}

describe("GET /metrics", () => {
  it("answers 401 without a key, 403 to a partner, and Prometheus text to an admin", async () => {
    const buyerId = await createBuyer(0);
    const key = await buyerKey(buyerId);
    expect((await fetch(`${API}/metrics`)).status).toBe(401);
    expect((await fetch(`${API}/metrics`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(403);
    const res = await fetch(`${API}/metrics`, { headers: { authorization: `Bearer ${adminKey()}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("http_request_duration_seconds");
  });
});
