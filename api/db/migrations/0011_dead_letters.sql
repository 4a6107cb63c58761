-- Hand-written: events the writer cannot record (poison), kept whole for replay; never dropped.
CREATE TABLE "dead_letters" (
	"id" text PRIMARY KEY NOT NULL,
	"event_id" text,
	"event_type" text,
	"payload" text NOT NULL,
	"error_class" text NOT NULL,
	"error_message" text NOT NULL,
	"sqlstate" text,
	"first_failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolution" text,
	"resolution_note" text,
	CONSTRAINT "dead_letters_resolution_ck" CHECK (("resolved_at" IS NULL) = ("resolution" IS NULL)),
	CONSTRAINT "dead_letters_resolution_kind_ck" CHECK ("resolution" IN ('replayed', 'already_recorded', 'discarded'))
);
--> statement-breakpoint
CREATE INDEX "dead_letters_unresolved_idx" ON "dead_letters" USING btree ("first_failed_at","id") WHERE "resolved_at" IS NULL;--> statement-breakpoint
CREATE INDEX "dead_letters_failed_idx" ON "dead_letters" USING btree ("first_failed_at","id");--> statement-breakpoint
CREATE INDEX "dead_letters_event_idx" ON "dead_letters" USING btree ("event_id");
