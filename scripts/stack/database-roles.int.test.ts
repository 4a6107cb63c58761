// ensureDatabase on the local cluster: a database from before the owner/app split (owned by the app's
// role, tables and all) is handed to the owner role, after which the app's role can no longer alter
// its tables; a hand-over cut short is completed on the next start.
import { join, resolve } from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { roleOf, runMigrations } from "../../api/db/migrate.ts";
import { loadOrCreateSecrets, ownerUrlOf } from "./secrets.ts";
import { ensureDatabase, socketDirOf, superuserSql } from "./services.ts";

const stateDir = resolve(process.env.DCE_STATE_DIR ?? join(import.meta.dirname, "../../.data"));
const APP_URL = process.env.DATABASE_URL ?? "postgres://dce:dce@127.0.0.1:5433/dce";
const name = `dce_it_legacy_${process.pid}_${Date.now()}`;
const appUrl = APP_URL.replace(/\/[^/]*$/, `/${name}`);
const ownerUrl = ownerUrlOf(appUrl, loadOrCreateSecrets(join(stateDir, "secrets.env")));
const admin = superuserSql(stateDir, "postgres");

afterAll(async () => {
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

const owners = async () => {
  const sql = superuserSql(stateDir, name);
  try {
    const [db] = await sql`select pg_get_userbyid(datdba) as owner from pg_database where datname = ${name}`;
    const tables =
      await sql`select tablename, tableowner from pg_tables where schemaname = 'public' order by 1`;
    return { db: db!.owner as string, tables: tables.map((t) => `${t.tablename}:${t.tableowner}`) };
  } finally {
    await sql.end();
  }
};

describe("ensureDatabase", () => {
  it("hands a database owned by the app's role to the owner role, tables and all", async () => {
    const app = roleOf(appUrl);
    await admin.unsafe(`create database "${name}" owner "${app}"`);
    const legacy = postgres(appUrl, { max: 1, onnotice: () => undefined });
    await legacy`create table legacy_notes (id int)`;
    await legacy.end();
    expect(await owners()).toEqual({ db: app, tables: [`legacy_notes:${app}`] });

    await ensureDatabase(socketDirOf(stateDir), appUrl, ownerUrl);
    await runMigrations(ownerUrl, app);
    const after = await owners();
    expect(after.db).toBe(roleOf(ownerUrl));
    expect(new Set(after.tables.map((t) => t.split(":")[1]))).toEqual(new Set([roleOf(ownerUrl)]));

    const sql = postgres(appUrl, { max: 1, onnotice: () => undefined });
    try {
      await expect(sql`alter table legacy_notes disable trigger all`).rejects.toThrow(
        "must be owner of table legacy_notes",
      );
      await expect(sql`alter table domain_events disable trigger all`).rejects.toThrow(
        "must be owner of table domain_events",
      );
      await sql`insert into legacy_notes values (1)`; // the grants reach the tables it made before
    } finally {
      await sql.end();
    }
  });

  it("completes a hand-over that stopped after the database changed owner", async () => {
    const app = roleOf(appUrl);
    const inDb = superuserSql(stateDir, name);
    try {
      await inDb.unsafe(`create table stray_notes (id int); alter table stray_notes owner to "${app}"`);
    } finally {
      await inDb.end();
    }
    expect((await owners()).tables).toContain(`stray_notes:${app}`);
    await ensureDatabase(socketDirOf(stateDir), appUrl, ownerUrl);
    expect((await owners()).tables).toContain(`stray_notes:${roleOf(ownerUrl)}`);
  });
});
