// Call dossiers through the real stack: a billable second-price call; its seller, its buyer and an
// admin each fetch a signed dossier that the offline verifier command accepts; a tampered copy is
// refused; a losing buyer and another seller get 404; the buyer's dossier shows no other buyer's bid,
// and nothing of the other tenants' audit rows its proof passes through.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as v from "valibot";
import { beforeAll, describe, expect, it } from "vitest";
import { chainOf } from "../audit/chain.ts";
import { checkpointSigned } from "../audit/checkpoint.ts";
import type { CheckpointTuple } from "../dossiers/proof.ts";
import { DossierPublicKey, SignedDossier as SignedDossierSchema } from "../dossiers/schemas.ts";
import { signBody, signingKeyFrom } from "../dossiers/sign.ts";
import type { SignedDossier } from "../dossiers/verify.ts";
import { type Viewer, violations } from "../views/policy.ts";
import { buyerKey } from "./bidders.ts";
import {
  call,
  createBuyer,
  createBuyerCampaign,
  createSeller,
  offerCall,
  randomCaller,
  uniq,
  waitFor,
} from "./client.ts";
import { ownerSqlClient } from "./db-roles.ts";
import { freshMarket } from "./market.ts";
import { adminKey, ROOT, stackSecret } from "./stack.ts";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "dossiers-e2e-"));
let callId: string;
let publicKey: string;
let ids: { winner: string; outbid: string; seller: string };
let sellerOf: { key: string; sellerCampaignId: string };
const keys = {} as Record<"admin" | "winner" | "outbid" | "seller" | "otherSeller", string>;
const got = {} as Record<"admin" | "winner" | "seller", SignedDossier>;

/** `npm run dossier:verify` as a person runs it: a separate process, no network, no database. */
async function verify(d: unknown, key = publicKey) {
  const file = join(dir, `${uniq()}.json`);
  writeFileSync(file, JSON.stringify(d));
  const args = [
    "scripts/node24.sh",
    "node",
    "--import",
    "tsx",
    "scripts/dossier-verify.ts",
    file,
    "--public-key",
    key,
  ];
  return run("bash", args, { cwd: ROOT }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stderr: string }) => ({ code: e.code, out: e.stderr }),
  );
}

/** Another seller's calls to another buyer until one is audited on `callId`'s chain (mid-call). */
async function foreignTrafficOnChainOf(id: string) {
  const { seller } = await freshMarket({ prefix: "dof", buyer: { bidMicros: 5_000_000 } });
  for (let i = 0; i < 64; i++) {
    const offer = await offerCall<{ callId: string }>(seller);
    if (chainOf(offer.body.callId) === chainOf(id)) return;
  }
  throw new Error("no foreign call landed on the call's audit chain in 64 offers");
}

const dossier = (key: string) => call<SignedDossier>("GET", `/v1/calls/${callId}/dossier`, { key });

beforeAll(async () => {
  const vertical = `dos_${uniq().slice(0, 8)}`;
  ids = { winner: await createBuyer(), outbid: await createBuyer(), seller: "" };
  await createBuyerCampaign(ids.winner, { vertical, bidMicros: 30_000_000 });
  await createBuyerCampaign(ids.outbid, { vertical, bidMicros: 25_000_000 });
  const seller = await createSeller({ vertical, reserveMicros: 10_000_000, auction: "second" });
  const other = await createSeller({ vertical });
  ids.seller = seller.sellerId;
  sellerOf = seller;
  Object.assign(keys, {
    admin: adminKey(),
    winner: await buyerKey(ids.winner),
    outbid: await buyerKey(ids.outbid),
    seller: seller.key,
    otherSeller: other.key,
  });
  const offer = await offerCall<{ callId: string; buyerId: string }>(seller);
  expect(offer.body.buyerId).toBe(ids.winner);
  callId = offer.body.callId;
  for (const body of [{ type: "ringing" }, { type: "connected" }]) {
    expect((await call("POST", `/v1/calls/${callId}/events`, { key: seller.key, body })).status).toBe(200);
  }
  await foreignTrafficOnChainOf(callId);
  const completed = { type: "completed", durationSec: 95 };
  expect(
    (await call("POST", `/v1/calls/${callId}/events`, { key: seller.key, body: completed })).status,
  ).toBe(200);
  // The charge is posted by the events app: wait until the admin's dossier carries it.
  const settled = await waitFor(
    () => dossier(keys.admin),
    (r) => r.status === 200 && r.body.dossier.postings.length === 1,
    30_000,
  );
  expect(settled.status, JSON.stringify(settled.body).slice(0, 600)).toBe(200);
  expect(settled.body.dossier.postings).toHaveLength(1);
  const pk = await call<{ algorithm: string; signingKeyId: string; publicKey: string }>(
    "GET",
    "/v1/dossiers/public-key",
    {
      key: keys.seller,
    },
  );
  expect(pk.status).toBe(200);
  expect(v.safeParse(DossierPublicKey, pk.body).success).toBe(true);
  publicKey = pk.body.publicKey;
  for (const who of ["admin", "winner", "seller"] as const) {
    const r = await dossier(keys[who]);
    expect(r.status, who).toBe(200);
    got[who] = r.body;
  }
});

const asCheckpoint = ([id, seq, head, at, heads, mac]: CheckpointTuple) => ({
  id,
  seq,
  head,
  at,
  heads: heads.map(([chain, s, hash]) => ({ chain, seq: s, hash })),
  mac,
});

type Row = {
  seq: string;
  event_id: string;
  aggregate_id: string;
  occurred_at: string;
  payload_digest: string;
};

describe("call dossiers", () => {
  it("serves the public key of the secrets file's signing key", () => {
    expect(publicKey).toBe(signingKeyFrom(stackSecret("DCE_DOSSIER_SIGNING_KEY")).publicKey);
  });

  it("gives each party a dossier of the billable call that the verifier accepts offline", async () => {
    for (const who of ["admin", "winner", "seller"] as const) {
      const d = got[who].dossier;
      expect(d.callId).toBe(callId);
      expect(v.safeParse(SignedDossierSchema, got[who]).success, who).toBe(true);
      expect(d.records.map((r) => r.auditRow[2])).toEqual(
        expect.arrayContaining(["call.offered", "call.billable"]),
      );
      expect(d.gates).toEqual([
        { gate: "seller", passed: true },
        { gate: "caller", passed: true },
        { gate: "compliance", passed: true },
        { gate: "fraud", passed: true },
      ]);
      expect(d.postings[0]).toMatchObject({ kind: "charge", reference: callId });
      const r = await verify(got[who]);
      expect(r.out, who).toMatch(/^OK: dossier of call/);
      expect(r.code, who).toBe(0);
    }
  });

  it("limits each party to its own view and its own ledger entries", () => {
    for (const who of ["winner", "seller"] as const) {
      const viewer: Viewer = { role: who === "winner" ? "buyer" : "seller", accountId: ids[who] };
      expect(violations(viewer, got[who]), who).toEqual([]);
      expect(got[who].dossier.issuedTo).toBe(`${viewer.role}:${ids[who]}`);
    }
    const entries = (who: "admin" | "winner" | "seller") =>
      got[who].dossier.postings[0]!.postingEntries.map((e) => e.accountId);
    expect(entries("winner")).toEqual([`buyer:${ids.winner}`]);
    // The seller's payout is on hold at first (api/money): its pending account is its own too.
    expect(entries("seller")).toEqual([`seller_pending:${ids.seller}`]);
    expect(entries("admin").length).toBeGreaterThanOrEqual(3);
    // A view that cuts an event's data says so; the admin's records are whole.
    expect(got.seller.dossier.records.some((r) => !r.dataWhole)).toBe(true);
    expect(got.admin.dossier.records.every((r) => r.dataWhole)).toBe(true);
  });

  it("shows the buyer no other buyer's bid or identity", () => {
    const text = JSON.stringify(got.winner);
    expect(text).not.toContain(ids.outbid);
    expect(text).not.toContain("25000000");
    expect(JSON.stringify(got.admin)).toContain(ids.outbid);
  });

  it("carries nothing of the other tenants' audit rows its proof passes through: leaves only", async () => {
    const sql = ownerSqlClient();
    try {
      const d = got.winner.dossier;
      const foreign: Row[] = [];
      for (const seg of d.proof.segments) {
        const last = seg.firstSeq + seg.leaves.length - 1;
        foreign.push(
          ...(await sql<Row[]>`select seq, event_id, aggregate_id, occurred_at, payload_digest from audit_log
            where chain = ${d.proof.auditChain} and seq between ${seg.firstSeq} and ${last}
            and aggregate_id <> ${callId}`),
        );
      }
      // Other buyers, sellers and calls wrote rows on the call's chain while it lived (a test run's traffic).
      expect(foreign.length).toBeGreaterThan(0);
      const text = JSON.stringify(got.winner);
      // The viewer's own id and its records' instants appear in the dossier in their own right: a row
      // of the viewing buyer's own (its chain is one of 8, so it may share the call's) or one written in
      // the same millisecond as a record is not a leak of that value.
      const own = new Set([d.issuedTo.split(":")[1], ...d.records.map((r) => String(r.auditRow[5]))]);
      for (const r of foreign)
        for (const v of [r.event_id, r.aggregate_id, r.occurred_at, r.payload_digest])
          if (!own.has(String(v))) expect(text, `audit row ${r.seq}`).not.toContain(v);
      const leaves = d.proof.segments.flatMap((s) => s.leaves).filter((l) => l !== null);
      expect(leaves).toHaveLength(foreign.length);
      expect(leaves.every((l) => /^[0-9a-f]{64}$/.test(l))).toBe(true);
    } finally {
      await sql.end();
    }
  });

  it("anchors at a checkpoint signed with the audit key (which only the exchange can check)", () => {
    const key = stackSecret("DCE_AUDIT_CHECKPOINT_KEY");
    for (const seg of got.admin.dossier.proof.segments)
      expect(checkpointSigned(key, asCheckpoint(seg.checkpoint))).toBe(true);
  });

  it("refuses a tampered copy, even one re-signed by another key", async () => {
    const edited = structuredClone(got.winner);
    (edited.dossier.callView as { billing: { chargedMicros: number } }).billing.chargedMicros = 1;
    const r = await verify(edited);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/REFUSED[\s\S]*signature: the Ed25519 signature does not match/);
    // Re-signed with the exchange's own key, a forged record or leaf still breaks the proof.
    const key = signingKeyFrom(stackSecret("DCE_DOSSIER_SIGNING_KEY"));
    const resign = (change: (d: SignedDossier["dossier"]) => void) => {
      const forged = structuredClone(got.seller);
      change(forged.dossier);
      forged.signature = { ...signBody(key, forged.dossier), publicKey: key.publicKey };
      return verify(forged);
    };
    const f = await resign((d) => {
      d.records[0]!.auditRow[5] = new Date(0).toISOString();
    });
    expect(f.code).toBe(1);
    expect(f.out).toMatch(/proof\.segments\[0\]\.checkpoint: the rows do not hash to the checkpoint's head/);
    const leaf = await resign((d) => {
      const leaves = d.proof.segments[0]!.leaves;
      const at = leaves.findIndex((l) => l !== null);
      if (at >= 0) leaves[at] = "0".repeat(64);
      else leaves.push("0".repeat(64));
    });
    expect(leaf.code).toBe(1);
  });

  it("shows a refused call's seller the gate that refused it, verifiably", async () => {
    const number = randomCaller();
    const dnc = await call("POST", "/v1/compliance/dnc", { body: { numbers: [number], scope: "exchange" } });
    expect(dnc.status).toBe(201);
    const refused = await offerCall<{ callId: string; status: string }>(sellerOf, { callerNumber: number });
    expect(refused.body.status).toBe("rejected");
    const r = await waitFor(
      () => call<SignedDossier>("GET", `/v1/calls/${refused.body.callId}/dossier`, { key: keys.seller }),
      (x) => x.status === 200 && x.body.dossier.records.length === 2,
    );
    expect(r.status).toBe(200);
    expect(r.body.dossier.gates).toEqual([{ gate: "compliance", passed: false, code: "dnc_suppressed" }]);
    // Audit order is the writer's, not the call's: both records, in either order.
    expect(r.body.dossier.records.map((x) => x.auditRow[2]).sort()).toEqual([
      "call.offered",
      "call.rejected",
    ]);
    expect(r.body.dossier.postings).toEqual([]);
    expect((await verify(r.body)).code).toBe(0);
  });

  it("answers 404 call_unknown to a losing buyer and to another seller", async () => {
    for (const who of ["outbid", "otherSeller"] as const) {
      const r = await dossier(keys[who]);
      expect(r.status, who).toBe(404);
      expect(r.body).toMatchObject({ code: "call_unknown" });
    }
  });
});
