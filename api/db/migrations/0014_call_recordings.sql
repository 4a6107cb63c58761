-- Hand-written: call recordings reported by the carrier (one row per call and recording sid). The URL
-- and the SHA-256 of the media go into the audit chain too; after its retention the row is kept with
-- its URL forgotten and deleted_at set (the deletion is audited).
CREATE TABLE "call_recordings" (
	"call_id" text NOT NULL,
	"recording_sid" text NOT NULL,
	"provider" text NOT NULL,
	"seller_id" text NOT NULL,
	"buyer_id" text,
	"url" text,
	"sha256" text,
	"status" text NOT NULL,
	"duration_sec" integer NOT NULL,
	"channels" integer NOT NULL,
	"fetch_attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"next_fetch_at" timestamp with time zone,
	"retention_until" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "call_recordings_pk" PRIMARY KEY ("call_id", "recording_sid"),
	CONSTRAINT "call_recordings_status_ck" CHECK ("status" IN ('pending', 'stored', 'deleted')),
	CONSTRAINT "call_recordings_deleted_ck" CHECK (("status" = 'deleted') = ("deleted_at" IS NOT NULL)),
	CONSTRAINT "call_recordings_url_ck" CHECK (("status" = 'deleted') = ("url" IS NULL)),
	CONSTRAINT "call_recordings_hash_ck" CHECK (("status" = 'stored') = ("sha256" IS NOT NULL) OR "status" = 'deleted')
);
--> statement-breakpoint
CREATE INDEX "call_recordings_retention_idx" ON "call_recordings" USING btree ("retention_until") WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX "call_recordings_pending_idx" ON "call_recordings" USING btree ("next_fetch_at") WHERE "status" = 'pending';
