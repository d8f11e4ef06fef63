-- A write's AuditEvent waits in audit_pending with the keys its search parameters match (audit.AuditSearchKeys),
-- computed when the event is written, so the audit writer that chains it need not parse its JSON again to find them.
-- Rows committed before this version have none: the writer reads their JSON for them, as it always did.
ALTER TABLE audit_pending ADD COLUMN search_keys text[];
