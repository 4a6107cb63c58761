-- Custom migration (generated empty by drizzle-kit --custom): guards row triggers cannot give.
-- 1. TRUNCATE fires no row trigger, so the append-only tables refuse it with a statement trigger.
CREATE FUNCTION forbid_truncate() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'truncate refused: % is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_truncate();
--> statement-breakpoint
CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON audit_heads
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_truncate();
--> statement-breakpoint
CREATE TRIGGER domain_events_no_truncate BEFORE TRUNCATE ON domain_events
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_truncate();
--> statement-breakpoint
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_truncate();
--> statement-breakpoint
CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON ledger_postings
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_truncate();
--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_truncate();
--> statement-breakpoint
-- 2. A chain head is born at genesis and only moves forward, onto a row of its own chain with that
--    hash (appendAudit inserts the rows before it moves the head); it is never deleted. Rolling a head
--    back over a deleted tail therefore needs the trigger disabled on purpose.
CREATE FUNCTION audit_head_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'audit chain heads are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.seq <> 0 OR NEW.hash <> repeat('0', 64) THEN
      RAISE EXCEPTION 'audit chain % must start at genesis', NEW.chain USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.chain <> OLD.chain OR NEW.seq <= OLD.seq OR NOT EXISTS (
    SELECT 1 FROM audit_log l WHERE l.chain = NEW.chain AND l.seq = NEW.seq AND l.hash = NEW.hash
  ) THEN
    RAISE EXCEPTION 'audit chain head % may only advance onto its own rows (seq % to %)', OLD.chain, OLD.seq, NEW.seq
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER audit_heads_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_heads
  FOR EACH ROW EXECUTE FUNCTION audit_head_guard();
--> statement-breakpoint
-- 3. Domain events are never deleted (erasure rewrites a caller hash in place, so UPDATE stays open):
--    every event keeps standing for its audit row, which is how verification sees a deleted tail.
CREATE FUNCTION domain_events_forbid_delete() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'domain events are never deleted' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER domain_events_no_delete BEFORE DELETE ON domain_events
  FOR EACH ROW EXECUTE FUNCTION domain_events_forbid_delete();
