-- Custom migration (hand-written): domain events append-only, signed checkpoints of the chain heads,
-- and the application role's grants (migrations run as the owner role; the apps never own a table).
-- 1. A domain event is never changed, with one exception: erasure tombstones the caller hash of a
--    `call.offered` event in place, and nothing else about the row.
CREATE FUNCTION domain_events_guard_update() RETURNS trigger AS $$
BEGIN
  IF OLD.type = 'call.offered' AND OLD.data ? 'callerHash' AND NEW.data->>'callerHash' = 'erased'
    AND (NEW.data - 'callerHash') = (OLD.data - 'callerHash')
    AND (NEW.seq, NEW.event_id, NEW.type, NEW.aggregate_type, NEW.aggregate_id, NEW.occurred_at, NEW.recorded_at)
      IS NOT DISTINCT FROM
        (OLD.seq, OLD.event_id, OLD.type, OLD.aggregate_type, OLD.aggregate_id, OLD.occurred_at, OLD.recorded_at)
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'domain events are append-only (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER domain_events_append_only BEFORE UPDATE ON domain_events
  FOR EACH ROW EXECUTE FUNCTION domain_events_guard_update();
--> statement-breakpoint
-- 2. The erasure's one write to domain events, run with the owner's rights (the app role has no UPDATE
--    on the table): tombstones the caller hash of the offers of the given calls; answers how many.
CREATE FUNCTION erase_event_callers(call_ids text[]) RETURNS integer
  LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH done AS (
    UPDATE domain_events SET data = jsonb_set(data, '{callerHash}', '"erased"'::jsonb)
    WHERE type = 'call.offered' AND aggregate_id = ANY(call_ids) AND data ? 'callerHash'
      AND data->>'callerHash' <> 'erased'
    RETURNING 1)
  SELECT count(*)::int FROM done
$$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION erase_event_callers(text[]) FROM PUBLIC;
--> statement-breakpoint
-- 3. Signed checkpoints of every chain head (HMAC by the apps, key outside the database); a copy of
--    the latest lives in Redis. Append-only: the app role may only insert and read them.
CREATE TABLE "audit_checkpoints" (
	"id" bigint PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"head" text NOT NULL,
	"heads" jsonb NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"mac" text NOT NULL
);
--> statement-breakpoint
CREATE SEQUENCE audit_checkpoints_id_seq OWNED BY audit_checkpoints.id;
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_forbid_change();
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_truncate();
--> statement-breakpoint
-- 4. The app role's grants, applied by the migrator after every run (so they follow the tables):
--    read and write what the apps write, append only to the append-only tables, no DDL, no TRUNCATE.
--    Tables created later by this owner get the same grants through the default privileges.
CREATE FUNCTION grant_app_role(app name) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF app = current_user THEN
    RAISE EXCEPTION 'the app role % must not be the owner role running migrations', app;
  END IF;
  -- Before PostgreSQL 15 every role may create in schema public; revoke that where this role may.
  BEGIN
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
  EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'could not revoke CREATE on schema public from PUBLIC: revoke it as its owner';
  END;
  EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', app);
  EXECUTE format('REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM %I', app);
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app);
  EXECUTE format('REVOKE UPDATE, DELETE ON audit_log, audit_checkpoints, domain_events, ledger_postings,'
    ' ledger_entries FROM %I', app);
  EXECUTE format('REVOKE DELETE ON audit_heads, ledger_accounts FROM %I', app);
  EXECUTE format('GRANT EXECUTE ON FUNCTION erase_event_callers(text[]) TO %I', app);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', app);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', app);
END;
$$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION grant_app_role(name) FROM PUBLIC;
