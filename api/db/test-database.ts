// For integration tests: a throwaway database on the local Postgres, migrated like the real one and
// dropped afterwards, so a test sees only its own rows and no running app touches them.
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { createDb } from "./client.ts";

const BASE_URL = process.env.DATABASE_URL ?? "postgres://dce:dce@127.0.0.1:5433/dce";

export async function throwawayDatabase(label: string) {
  const name = `dce_it_${label}_${process.pid}_${Date.now()}`;
  const admin = postgres(BASE_URL, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = BASE_URL.replace(/\/[^/]*$/, `/${name}`);
  const m = postgres(url, { max: 1, onnotice: () => undefined });
  await migrate(drizzle(m), { migrationsFolder: new URL("./migrations", import.meta.url).pathname });
  await m.end();
  const handle = createDb(url, 6);
  return {
    ...handle,
    url,
    async drop() {
      await handle.sql.end({ timeout: 2 });
      const a = postgres(BASE_URL, { max: 1, onnotice: () => undefined });
      await a.unsafe(`drop database if exists "${name}" with (force)`);
      await a.end();
    },
  };
}
