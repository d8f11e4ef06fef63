-- The audit trail's GIN index takes each event's keys at once instead of through its pending list (docs/performance.md, "Audit
-- writer cost, stop 15"). With fastupdate on, new entries pile up in a 4 MB list that the insert which overflows it (the audit
-- writer's, every ten seconds or so at 1,500 events a second) or autovacuum then merges into the index in one go: a burst of a
-- core, on the machine the requests run on, of what was spread out. Off, each batch pays for its own entries, and a search no
-- longer scans the list. Entries already in the list stay there until the next vacuum merges them.
ALTER INDEX audit_event_keys SET (fastupdate = off);
