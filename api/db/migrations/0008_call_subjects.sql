CREATE TABLE "call_subjects" (
	"call_id" text PRIMARY KEY NOT NULL,
	"caller_hash" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "call_subjects_caller_hash_idx" ON "call_subjects" USING btree ("caller_hash");