// Database handles: a pooled client for the apps and a single-connection client for migrations.
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as complianceSchema from "./compliance-schema.ts";
import * as deadLetterSchema from "./dead-letter-schema.ts";
import * as ledgerSchema from "./ledger-schema.ts";
import * as numbersSchema from "./numbers-schema.ts";
import * as payoutSchema from "./payout-schema.ts";
import * as recordingSchema from "./recording-schema.ts";
import * as mainSchema from "./schema.ts";
import * as webhookSchema from "./webhook-schema.ts";

const schema = {
  ...mainSchema,
  ...ledgerSchema,
  ...complianceSchema,
  ...webhookSchema,
  ...deadLetterSchema,
  ...recordingSchema,
  ...numbersSchema,
  ...payoutSchema,
};

/** `onQuery` sees every statement sent (tests count them). */
export function createDb(url: string, max = 10, onQuery?: (query: string) => void) {
  const sql = postgres(url, {
    max,
    idle_timeout: 30,
    onnotice: () => undefined,
    ...(onQuery ? { debug: (_conn: number, query: string) => onQuery(query) } : {}),
  });
  return { db: drizzle(sql, { schema }), sql };
}

export type Db = ReturnType<typeof createDb>["db"];
