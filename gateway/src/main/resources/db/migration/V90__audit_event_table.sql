-- The audit trail in a table of its own (docs/security.md#audit, docs/performance.md). Until now each
-- AuditEvent was also a resource in the resource store: a resource row, a version row and a dozen index
-- rows per event, so every audited read was also a write of fifteen rows. From here an event is one
-- append-only row of audit_event: its place in the chain, its BALP JSON as bytes, and the keys its search
-- parameters match (search_keys, e.g. 'subtype=http://hl7.org/fhir/restful-interaction|read',
-- 'patient=Patient/1', 'agent:identifier=https://spgateway.org/fhir/Id/client|demo-gp'; audit.AuditSearchKeys).

ALTER TABLE audit_event ADD COLUMN content bytea;
ALTER TABLE audit_event ADD COLUMN search_keys text[];
ALTER TABLE audit_event ALTER COLUMN res_pk DROP NOT NULL;

-- An upgraded database keeps its trail: each chained event's JSON moves here as stored (its hash covers
-- it); the writer fills in search_keys for these rows when it starts. A link whose resource was missing
-- keeps no content, and $verify-chain names it as before.
UPDATE audit_event e SET content = convert_to(v.content, 'UTF8')
  FROM resource r JOIN resource_version v ON v.res_pk = r.res_pk AND v.version = r.version
 WHERE r.res_pk = e.res_pk AND r.res_type = 'AuditEvent' AND r.res_id = e.event_id;

-- An event changed behind the API's back before the upgrade (a second version) must still be found:
-- keep what the store served, and mark the link so the verifier says so.
ALTER TABLE audit_event ADD COLUMN changed_versions integer;
UPDATE audit_event e SET changed_versions = r.version
  FROM resource r WHERE r.res_pk = e.res_pk AND r.res_type = 'AuditEvent' AND r.version <> 1;

-- The AuditEvents leave the resource store, with every row that hangs off them (index, access and any
-- other table keyed by res_pk).
DO $$
DECLARE t record;
BEGIN
  FOR t IN SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables tb
             ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name AND tb.table_type = 'BASE TABLE'
            WHERE c.table_schema = current_schema() AND c.column_name = 'res_pk'
              AND c.table_name NOT IN ('resource', 'audit_event')
  LOOP
    EXECUTE format('DELETE FROM %I x USING resource r WHERE x.res_pk = r.res_pk AND r.res_type = ''AuditEvent''', t.table_name);
  END LOOP;
END $$;
DELETE FROM resource WHERE res_type = 'AuditEvent';
ALTER TABLE audit_event DROP COLUMN res_pk;

CREATE INDEX audit_event_keys ON audit_event USING gin (search_keys);
CREATE INDEX audit_event_recorded ON audit_event (recorded, seq);
CREATE INDEX audit_event_unkeyed ON audit_event (seq) WHERE search_keys IS NULL;
