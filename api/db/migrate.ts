// Applies the committed migrations as the owner role on their own single-connection client, then
// gives the application role its grants (grant_app_role, migration 0012), then exits.
import { fileURLToPath } from "node:url";
import { sql as raw } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

/** Migrates as `ownerUrl`'s role; then `appRole` (the apps' DATABASE_URL role) gets what the apps need. */
export async function runMigrations(ownerUrl: string, appRole: string): Promise<void> {
  const sql = postgres(ownerUrl, { max: 1, onnotice: () => undefined });
  try {
    const db = drizzle(sql);
    await migrate(db, { migrationsFolder: fileURLToPath(new URL("./migrations", import.meta.url)) });
    await db.execute(raw`select grant_app_role(${appRole})`);
  } finally {
    await sql.end();
  }
}

export const roleOf = (url: string) => decodeURIComponent(new URL(url).username);

if (import.meta.url === `file://${process.argv[1]}`) {
  const appUrl = process.env.DATABASE_URL ?? "postgres://dce:dce@127.0.0.1:5433/dce";
  const ownerUrl = process.env.DATABASE_OWNER_URL;
  if (!ownerUrl) throw new Error("DATABASE_OWNER_URL must be set: migrations run as the owner role");
  await runMigrations(ownerUrl, roleOf(appUrl));
  console.log("migrations applied");
}
