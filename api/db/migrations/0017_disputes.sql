-- Hand-written: buyer disputes of billed calls. One open dispute per call at a time (partial unique
-- index); a decided dispute's refund is a ledger posting of kind 'refund' referenced
-- `<callId>:<disputeId>`, found per call through the expression index below.
CREATE TABLE "disputes" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"call_id" text NOT NULL,
	"buyer_id" text NOT NULL,
	"seller_id" text NOT NULL,
	"reason" text NOT NULL,
	"detail" text,
	"evidence" text,
	"status" text NOT NULL,
	"refund_micros" bigint DEFAULT 0 NOT NULL,
	"seller_clawback_micros" bigint DEFAULT 0 NOT NULL,
	"margin_clawback_micros" bigint DEFAULT 0 NOT NULL,
	"timeline" jsonb NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	CONSTRAINT "disputes_status_ck" CHECK ("status" IN ('open', 'accepted', 'partially_accepted', 'rejected')),
	CONSTRAINT "disputes_refund_ck" CHECK ("refund_micros" >= 0 AND "seller_clawback_micros" >= 0 AND "margin_clawback_micros" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "disputes_seq_uq" ON "disputes" USING btree ("seq");--> statement-breakpoint
CREATE UNIQUE INDEX "disputes_one_open_uq" ON "disputes" USING btree ("call_id") WHERE "status" = 'open';--> statement-breakpoint
CREATE INDEX "disputes_call_idx" ON "disputes" USING btree ("call_id", "seq");--> statement-breakpoint
CREATE INDEX "disputes_buyer_idx" ON "disputes" USING btree ("buyer_id", "seq");--> statement-breakpoint
CREATE INDEX "disputes_seller_idx" ON "disputes" USING btree ("seller_id", "seq");--> statement-breakpoint
CREATE INDEX "ledger_postings_refund_call_idx" ON "ledger_postings" USING btree (split_part("reference", ':', 1)) WHERE "kind" = 'refund';
