-- Custom migration (hand-written): tracking numbers, the DIDs a seller's calls arrive on. One row per
-- assignment: a released number keeps its row (status released) and may be assigned again (a new row),
-- so a number is unique only among the active ones. The app role's grants come from grant_app_role.
CREATE TABLE "tracking_numbers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"seller_id" text NOT NULL,
	"seller_campaign_id" text NOT NULL,
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"released_at" timestamp with time zone,
	CONSTRAINT "tracking_numbers_e164_ck" CHECK ("number" ~ '^\+[1-9][0-9]{1,14}$'),
	CONSTRAINT "tracking_numbers_status_ck" CHECK ("status" IN ('active', 'released')),
	CONSTRAINT "tracking_numbers_released_ck" CHECK (("status" = 'released') = ("released_at" IS NOT NULL)),
	CONSTRAINT "tracking_numbers_tags_ck" CHECK (jsonb_typeof("tags") = 'array')
);
--> statement-breakpoint
CREATE UNIQUE INDEX "tracking_numbers_active_uq" ON "tracking_numbers" ("number") WHERE "status" = 'active';
--> statement-breakpoint
CREATE INDEX "tracking_numbers_seller_idx" ON "tracking_numbers" ("seller_id", "id");
--> statement-breakpoint
CREATE INDEX "tracking_numbers_campaign_idx" ON "tracking_numbers" ("seller_campaign_id");
--> statement-breakpoint
CREATE INDEX "tracking_numbers_number_idx" ON "tracking_numbers" ("number", "id");
