CREATE TABLE "audit_heads" (
	"chain" integer PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"chain" integer NOT NULL,
	"seq" bigint NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"aggregate_type" text NOT NULL,
	"aggregate_id" text NOT NULL,
	"occurred_at" text NOT NULL,
	"payload_digest" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "audit_log_chain_seq_pk" PRIMARY KEY("chain","seq")
);
--> statement-breakpoint
CREATE TABLE "consents" (
	"id" text PRIMARY KEY NOT NULL,
	"certificate_id" text NOT NULL,
	"caller_hash" text NOT NULL,
	"seller_id" text,
	"source" text NOT NULL,
	"obtained_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"erased_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "dnc_imports" (
	"id" text PRIMARY KEY NOT NULL,
	"list_id" text NOT NULL,
	"generation" integer NOT NULL,
	"lines" bigint NOT NULL,
	"imported" bigint NOT NULL,
	"invalid" bigint NOT NULL,
	"published_at" timestamp with time zone,
	"duration_ms" integer NOT NULL,
	"warning" text,
	"finished_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dnc_lists" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"source" text NOT NULL,
	"state" text,
	"published_at" timestamp with time zone,
	"count" bigint NOT NULL,
	"generation" integer NOT NULL,
	"shard_bits" integer NOT NULL,
	"imported_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fraud_decisions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"call_id" text NOT NULL,
	"seller_id" text NOT NULL,
	"caller_hash" text,
	"kind" text NOT NULL,
	"code" text NOT NULL,
	"detail" text NOT NULL,
	"data" jsonb,
	"decided_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "suppressions" (
	"caller_hash" text NOT NULL,
	"scope" text NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "suppressions_caller_hash_scope_pk" PRIMARY KEY("caller_hash","scope")
);
--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "caller_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_event_uq" ON "audit_log" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "audit_log_aggregate_idx" ON "audit_log" USING btree ("aggregate_id");--> statement-breakpoint
CREATE UNIQUE INDEX "consents_certificate_uq" ON "consents" USING btree ("certificate_id");--> statement-breakpoint
CREATE INDEX "consents_caller_idx" ON "consents" USING btree ("caller_hash");--> statement-breakpoint
CREATE INDEX "dnc_imports_list_idx" ON "dnc_imports" USING btree ("list_id","finished_at");--> statement-breakpoint
CREATE UNIQUE INDEX "fraud_decisions_call_code_uq" ON "fraud_decisions" USING btree ("call_id","code");--> statement-breakpoint
CREATE INDEX "fraud_decisions_seller_idx" ON "fraud_decisions" USING btree ("seller_id","decided_at");--> statement-breakpoint
CREATE INDEX "fraud_decisions_caller_idx" ON "fraud_decisions" USING btree ("caller_hash");--> statement-breakpoint
CREATE INDEX "suppressions_scope_idx" ON "suppressions" USING btree ("scope");--> statement-breakpoint
CREATE INDEX "calls_caller_hash_idx" ON "calls" USING btree ("caller_hash");