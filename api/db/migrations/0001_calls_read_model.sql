CREATE TABLE "calls" (
	"call_id" text PRIMARY KEY NOT NULL,
	"revision" integer NOT NULL,
	"status" text NOT NULL,
	"seller_id" text NOT NULL,
	"seller_campaign_id" text NOT NULL,
	"buyer_id" text,
	"buyer_campaign_id" text,
	"vertical" text,
	"caller_state" text,
	"price_micros" bigint,
	"billable" boolean,
	"charged_micros" bigint,
	"payout_micros" bigint,
	"duration_sec" integer,
	"reason_code" text,
	"attempts" integer NOT NULL,
	"offered_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "calls_seller_offered_idx" ON "calls" USING btree ("seller_id","offered_at");--> statement-breakpoint
CREATE INDEX "calls_buyer_offered_idx" ON "calls" USING btree ("buyer_id","offered_at");--> statement-breakpoint
CREATE INDEX "calls_offered_idx" ON "calls" USING btree ("offered_at");