// Postgres sessions for e2e tests by role: the owner role migrations run as, and the cluster's
// superuser (an insider with every right, for tampering tests). The apps' role is sqlClient's.
import { join } from "node:path";
import postgres from "postgres";
import { loadOrCreateSecrets, ownerUrlOf } from "../../scripts/stack/secrets.ts";
import { superuserSql } from "../../scripts/stack/services.ts";
import { STATE_DIR } from "./stack.ts";

const APP_URL = process.env.DATABASE_URL ?? "postgres://dce:dce@127.0.0.1:5433/dce";

/** The owner role (tables it creates get the app's grants through the default privileges). */
export const ownerSqlClient = () =>
  postgres(ownerUrlOf(APP_URL, loadOrCreateSecrets(join(STATE_DIR, "secrets.env"))), {
    max: 2,
    onnotice: () => {},
  });

/** The cluster's superuser over its Unix socket, on the exchange's database. */
export const superuserSqlClient = () => superuserSql(STATE_DIR);
