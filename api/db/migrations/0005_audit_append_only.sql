-- Custom migration (generated empty by drizzle-kit --custom): the audit log is append-only.
-- Changing a row needs a deliberate DDL step (disabling this trigger); the hash chain then still
-- shows the change to GET /v1/audit/verify.
CREATE FUNCTION audit_forbid_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_forbid_change();
