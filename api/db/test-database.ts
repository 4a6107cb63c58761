// For integration tests: a throwaway database on the local Postgres, created and migrated by the owner
// role like the real one and dropped afterwards; the handle connects as the application role, so a
// test sees only its own rows, no running app touches them, and the app's grants are what is tested.
import { join, resolve } from "node:path";
import postgres from "postgres";
import { loadOrCreateSecrets, ownerUrlOf } from "../../scripts/stack/secrets.ts";
import { createDb } from "./client.ts";
import { roleOf, runMigrations } from "./migrate.ts";

const APP_URL = process.env.DATABASE_URL ?? "postgres://dce:dce@127.0.0.1:5433/dce";
const STATE_DIR = resolve(process.env.DCE_STATE_DIR ?? join(import.meta.dirname, "../../.data"));
const OWNER_URL = ownerUrlOf(APP_URL, loadOrCreateSecrets(join(STATE_DIR, "secrets.env")));

const inDatabase = (url: string, name: string) => url.replace(/\/[^/]*$/, `/${name}`);

export async function throwawayDatabase(label: string) {
  const name = `dce_it_${label}_${process.pid}_${Date.now()}`;
  const admin = postgres(OWNER_URL, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const ownerUrl = inDatabase(OWNER_URL, name);
  await runMigrations(ownerUrl, roleOf(APP_URL));
  const url = inDatabase(APP_URL, name);
  const handle = createDb(url, 6);
  return {
    ...handle,
    url,
    /** The owner role's URL for this database (migrations' rights: an insider with more than the app). */
    ownerUrl,
    /** A session as the owner role, for what the app may not do (DDL, disabling a guard). */
    owner: postgres(ownerUrl, { max: 1, onnotice: () => undefined }),
    async drop() {
      await this.owner.end({ timeout: 2 });
      await handle.sql.end({ timeout: 2 });
      const a = postgres(OWNER_URL, { max: 1, onnotice: () => undefined });
      // A session of the app's role still closing (or still connecting: a pool reconnects) cannot be
      // terminated by the owner (42501) until it is gone: try again shortly, a few times.
      for (let tries = 1; ; tries++) {
        const err = await a.unsafe(`drop database if exists "${name}" with (force)`).then(
          () => undefined,
          (e: { code?: string }) => e,
        );
        if (!err) break;
        if (err.code !== "42501" || tries === 10) {
          await a.end();
          throw err;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      await a.end();
    },
  };
}
