-- Custom migration (generated empty by drizzle-kit --custom): invariants the ORM cannot express.
-- 1. Every posting's entries sum to zero, checked when the transaction commits.
CREATE FUNCTION ledger_assert_posting_balanced() RETURNS trigger AS $$
DECLARE
  total numeric;
BEGIN
  SELECT COALESCE(SUM(amount_micros), 0) INTO total FROM ledger_entries WHERE posting_id = NEW.posting_id;
  IF total <> 0 THEN
    RAISE EXCEPTION 'ledger posting % does not balance: entries sum to %', NEW.posting_id, total
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER ledger_entries_balanced
  AFTER INSERT OR UPDATE ON ledger_entries
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ledger_assert_posting_balanced();
--> statement-breakpoint
-- 2. The ledger is append-only: entries and postings are never changed or removed.
CREATE FUNCTION ledger_forbid_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
--> statement-breakpoint
CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON ledger_postings
  FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
--> statement-breakpoint
INSERT INTO ledger_accounts (id, kind) VALUES ('cash', 'cash'), ('revenue', 'revenue') ON CONFLICT DO NOTHING;
