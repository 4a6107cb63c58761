-- Hand-written: the per-endpoint circuit breaker (api/webhooks/rules.ts). A run of failed attempts
-- suspends an endpoint; its deliveries are still enqueued but the claim skips it except for one probe
-- at next_probe_at. The partial index keeps the suspended endpoints (few) one index read away.
ALTER TABLE "webhook_endpoints" ADD COLUMN "consecutive_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "failing_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "last_failure_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "last_failure_status_code" integer;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "last_failure_error" text;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "suspended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "failed_probes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "next_probe_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "webhook_endpoints_suspended_idx" ON "webhook_endpoints" USING btree ("next_probe_at") WHERE suspended_at is not null;
