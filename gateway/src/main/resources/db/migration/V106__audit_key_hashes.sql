-- An event's search keys as 64-bit fingerprints instead of text (audit.AuditSearchKeys#columns, docs/performance.md): about
-- fifty bytes of text a key made each row large enough to be compressed and gave the GIN index long strings to compare,
-- twice PostgreSQL's work per event of the fingerprints'. key_hashes (GIN) holds the keys that pick events out, code_hashes
-- (not indexed) those of codes nearly every event shares, names the lower-case string values a search matches by their start.
-- The text columns go at once; the audit writer gives every row its new keys again from its JSON, a batch at a time between
-- batches of new events, as it did for the rows V90 moved (those still without keys are the ones audit_event_unkeyed lists).
DROP INDEX audit_event_keys;
DROP INDEX audit_event_unkeyed;
ALTER TABLE audit_event DROP COLUMN search_keys, DROP COLUMN codes;
ALTER TABLE audit_event ADD COLUMN key_hashes bigint[], ADD COLUMN code_hashes bigint[], ADD COLUMN names text[];
CREATE INDEX audit_event_keys ON audit_event USING gin (key_hashes);
CREATE INDEX audit_event_unkeyed ON audit_event (seq) WHERE key_hashes IS NULL;
