-- Hand-written: pixels are webhook endpoints of kind 'pixel', scoped to one campaign, with a URL
-- template rendered per delivery (the rendered URL is kept on the delivery) and GET or POST.
ALTER TABLE "webhook_endpoints" ADD COLUMN "kind" text DEFAULT 'webhook' NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "campaign_id" text;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "method" text DEFAULT 'POST' NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "url" text;--> statement-breakpoint
CREATE INDEX "webhook_endpoints_campaign_idx" ON "webhook_endpoints" USING btree ("campaign_id") WHERE campaign_id is not null;
