-- The audit trail's GIN index gathers new entries in a pending list and merges them into the index in one go when the list
-- passes its limit, in the statement that passed it: the audit writer's COPY (docs/performance.md, "Audit writer cost, stop
-- 15"). With the default 4 MB that is some 13,000 events' keys at once, a burst of a core every nine seconds at 1,500 events a
-- second; 512 kB makes each merge an eighth of that, eight times as often, and keeps a search's scan of the list short.
-- (No pending list at all, fastupdate off, was tried: PostgreSQL's CPU per read was no lower, 0.17-0.23 ms against 0.16.)
ALTER INDEX audit_event_keys SET (gin_pending_list_limit = 512);
