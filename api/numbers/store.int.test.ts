// Tracking numbers against real Postgres as the app role (a throwaway database): the carrier's lookup
// sees active numbers only, a number is active once at most, a released number can return, and every
// change is an audited seller event written with it.
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAudit } from "../audit/verify.ts";
import type { Db } from "../db/client.ts";
import { auditLog } from "../db/compliance-schema.ts";
import { domainEvents } from "../db/schema.ts";
import { throwawayDatabase } from "../db/test-database.ts";
import { lookupNumber } from "./lookup.ts";
import { assignNumber, findNumber, listNumbers, reassignNumber, releaseNumber } from "./store.ts";

let handle: Awaited<ReturnType<typeof throwawayDatabase>>;
let db: Db;
const actor = { keyId: "key_test" };
const T0 = Date.parse("2026-12-02T05:00:00Z");

beforeAll(async () => {
  handle = await throwawayDatabase("numbers");
  db = handle.db;
}, 60_000);

afterAll(async () => {
  await handle?.drop();
});

const a = (number: string, sellerId = "sel_a", sellerCampaignId = "scp_a1", tags: string[] = []) => ({
  number,
  sellerId,
  sellerCampaignId,
  tags,
});

describe("lookupNumber", () => {
  it("finds an active number as the carrier sends it, with its seller, campaign and tags", async () => {
    await assignNumber(db, a("+12125551001", "sel_a", "scp_a1", ["tv", "ny"]), actor, T0);
    const found = {
      number: "+12125551001",
      sellerId: "sel_a",
      sellerCampaignId: "scp_a1",
      tags: ["tv", "ny"],
    };
    expect(await lookupNumber({ db }, "+12125551001")).toEqual(found);
    expect(await lookupNumber({ db }, " 12125551001")).toEqual(found);
    expect(await lookupNumber({ db }, "2125551001")).toEqual(found);
  });

  it("answers null for an unknown, invalid or released number", async () => {
    expect(await lookupNumber({ db }, "+12125551999")).toBeNull();
    expect(await lookupNumber({ db }, "not a number")).toBeNull();
    await assignNumber(db, a("+12125551002"), actor, T0);
    await releaseNumber(db, "+12125551002", "sel_a", actor, T0 + 1000);
    expect(await lookupNumber({ db }, "+12125551002")).toBeNull();
  });
});

describe("the store", () => {
  it("refuses a number active elsewhere and assigns it again once released", async () => {
    expect(await assignNumber(db, a("+12125551003"), actor, T0)).not.toBeNull();
    expect(await assignNumber(db, a("+12125551003", "sel_b", "scp_b1"), actor, T0)).toBeNull();
    const released = await releaseNumber(db, "+12125551003", null, actor, T0 + 1000);
    expect(released?.status).toBe("released");
    expect(released?.releasedAt).not.toBeNull();
    const again = await assignNumber(db, a("+12125551003", "sel_b", "scp_b1", ["x"]), actor, T0 + 2000);
    expect(again?.sellerId).toBe("sel_b");
    expect(await lookupNumber({ db }, "+12125551003")).toMatchObject({ sellerId: "sel_b", tags: ["x"] });
    const rows = await listNumbers(db, { sellerId: null, limit: 10 });
    expect(rows.filter((r) => r.number === "+12125551003").map((r) => r.status)).toEqual([
      "released",
      "active",
    ]);
  });

  it("keeps each seller to its own numbers", async () => {
    await assignNumber(db, a("+12125551004", "sel_b", "scp_b1"), actor, T0);
    expect(await findNumber(db, "+12125551004", "sel_a")).toBeUndefined();
    expect(await releaseNumber(db, "+12125551004", "sel_a", actor, T0)).toBeUndefined();
    expect(await reassignNumber(db, "+12125551004", "sel_a", { tags: ["y"] }, actor, T0)).toBeUndefined();
    expect((await findNumber(db, "+12125551004", "sel_b"))?.status).toBe("active");
  });

  it("reassigns an active number and audits every change in the chain", async () => {
    await assignNumber(db, a("+12125551005"), actor, T0);
    const row = await reassignNumber(
      db,
      "+12125551005",
      "sel_a",
      { sellerCampaignId: "scp_a2", tags: ["radio"] },
      actor,
      T0 + 1000,
    );
    expect(row).toMatchObject({ sellerCampaignId: "scp_a2", tags: ["radio"], status: "active" });
    await releaseNumber(db, "+12125551005", "sel_a", actor, T0 + 2000);
    const events = await db
      .select({ type: domainEvents.type, data: domainEvents.data })
      .from(domainEvents)
      .where(and(eq(domainEvents.aggregateId, "sel_a"), like(domainEvents.type, "seller.number_%")))
      .orderBy(domainEvents.seq);
    const mine = events.filter((e) => (e.data as { number: string }).number === "+12125551005");
    expect(mine.map((e) => e.type)).toEqual([
      "seller.number_assigned",
      "seller.number_reassigned",
      "seller.number_released",
    ]);
    expect(mine[1]?.data).toMatchObject({
      fromSellerCampaignId: "scp_a1",
      sellerCampaignId: "scp_a2",
      keyId: "key_test",
    });
    const audited = await db
      .select({ type: auditLog.type })
      .from(auditLog)
      .where(eq(auditLog.aggregateId, "sel_a"));
    expect(audited.filter((r) => r.type.startsWith("seller.number_")).length).toBe(events.length);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it("pages in assignment order and filters by campaign and status", async () => {
    for (const n of ["+13125551001", "+13125551002", "+13125551003"])
      await assignNumber(db, a(n, "sel_c", "scp_c1"), actor, T0);
    await releaseNumber(db, "+13125551002", "sel_c", actor, T0);
    const first = await listNumbers(db, { sellerId: "sel_c", limit: 2 });
    expect(first.map((r) => r.number)).toEqual(["+13125551001", "+13125551002", "+13125551003"]);
    const next = await listNumbers(db, { sellerId: "sel_c", limit: 2, after: first[1]?.id });
    expect(next.map((r) => r.number)).toEqual(["+13125551003"]);
    const active = await listNumbers(db, { sellerId: "sel_c", status: "active", limit: 10 });
    expect(active.map((r) => r.number)).toEqual(["+13125551001", "+13125551003"]);
    expect(await listNumbers(db, { sellerId: "sel_c", sellerCampaignId: "scp_other", limit: 10 })).toEqual(
      [],
    );
  });

  it("keeps a number's syntax and one active row in the database itself", async () => {
    await expect(
      handle.sql`insert into tracking_numbers (number, seller_id, seller_campaign_id) values ('12125551006', 's', 'c')`,
    ).rejects.toThrow(/tracking_numbers_e164_ck/);
    await handle.sql`insert into tracking_numbers (number, seller_id, seller_campaign_id) values ('+12125551006', 's', 'c')`;
    await expect(
      handle.sql`insert into tracking_numbers (number, seller_id, seller_campaign_id) values ('+12125551006', 't', 'd')`,
    ).rejects.toThrow(/tracking_numbers_active_uq/);
  });
});
