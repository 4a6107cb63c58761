-- Hand-written: the webhook claim walks each active endpoint's due deliveries in due order through
-- one index on (endpoint_id, next_attempt_at) (a LATERAL per endpoint, at most perEndpoint rows each),
-- so a poll costs one index probe per endpoint instead of ranking every due pending delivery. The
-- time-only index goes: with it the planner walked the whole table's due order filtering by endpoint,
-- reading a dead endpoint's whole backlog to find another endpoint's few.
CREATE INDEX "webhook_deliveries_endpoint_due_idx" ON "webhook_deliveries" USING btree ("endpoint_id","next_attempt_at") WHERE status = 'pending';--> statement-breakpoint
DROP INDEX "webhook_deliveries_due_idx";
