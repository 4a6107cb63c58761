// drizzle-kit: generates SQL migrations from api/db/schema.ts into api/db/migrations (committed, never hand-edited).
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: ["./api/db/schema.ts", "./api/db/ledger-schema.ts", "./api/db/compliance-schema.ts"],
  out: "./api/db/migrations",
});
