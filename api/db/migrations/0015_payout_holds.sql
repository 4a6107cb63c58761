-- Hand-written: payout holds. A billable call's seller payout is credited to seller_pending:<id> and
-- recorded here with the instant it becomes available; a release posting (kind 'release') moves it to
-- the payable seller:<id> (paying a seller_receivable:<id> first). The ledger's kinds are plain text.
CREATE TABLE "payout_holds" (
	"call_id" text PRIMARY KEY NOT NULL,
	"seller_id" text NOT NULL,
	"payout_micros" bigint NOT NULL,
	"available_at" timestamp with time zone NOT NULL,
	"released_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payout_holds_payout_ck" CHECK ("payout_micros" >= 0)
);
--> statement-breakpoint
CREATE INDEX "payout_holds_seller_idx" ON "payout_holds" USING btree ("seller_id","available_at");--> statement-breakpoint
CREATE INDEX "payout_holds_due_idx" ON "payout_holds" USING btree ("available_at") WHERE "released_at" IS NULL;--> statement-breakpoint
CREATE TABLE "seller_payout_terms" (
	"seller_id" text PRIMARY KEY NOT NULL,
	"hold_sec" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "seller_payout_terms_hold_ck" CHECK ("hold_sec" >= 0)
);
