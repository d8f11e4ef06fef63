-- The audit trail's events compressed with lz4 where the PostgreSQL server has it (docs/performance.md, "Audit writer cost,
-- stop 16"). An event's JSON (about 2.4 kB) makes its row pass PostgreSQL's 2 kB threshold, so every event is compressed as it is
-- appended, with pglz by default: about 40% of the audit writer's database work per event. lz4 does the same in a fraction of
-- the time and stores the trail in the same space (measured on PostgreSQL 15 as Debian builds it: 55-60 us of the backend an
-- event with pglz, 37-45 with lz4, 2,944 bytes an event either way). Servers built without lz4, such as the embedded one, keep
-- pglz: the trail is never pruned, so its size matters more than the CPU that not compressing would save. Rows already stored
-- keep the form they were stored in; PostgreSQL reads both.
DO $$
BEGIN
  ALTER TABLE audit_event ALTER COLUMN content SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'This PostgreSQL has no lz4: the audit trail stays compressed with pglz';
END $$;
