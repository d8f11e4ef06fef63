-- Half of an event's search keys are codes nearly every event shares (type=rest, subtype=read, action=R, entity-type,
-- entity-role, agent-role, the gateway as source): a GIN index gains nothing from them (a search by one alone reads most
-- of the table either way), but every event paid a GIN entry for each. From here they are kept beside the event in
-- codes, not indexed; search_keys (GIN) keeps what picks events out: patient, agent, entity, names, addresses, outcome.
-- Events written before keep all their keys in search_keys; a search by a code parameter looks in both columns
-- (audit.AuditSearch).
ALTER TABLE audit_event ADD COLUMN codes text[];
