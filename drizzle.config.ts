// drizzle-kit: generates SQL migrations from the api/db/*-schema.ts files into api/db/migrations (committed, never hand-edited).
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: [
    "./api/db/schema.ts",
    "./api/db/ledger-schema.ts",
    "./api/db/compliance-schema.ts",
    "./api/db/webhook-schema.ts",
    "./api/db/dead-letter-schema.ts",
    "./api/db/recording-schema.ts",
    "./api/db/numbers-schema.ts",
    "./api/db/payout-schema.ts",
    "./api/db/dispute-schema.ts",
  ],
  out: "./api/db/migrations",
});
