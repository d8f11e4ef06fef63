-- Issue 14, the write path.
--
-- A notification whose payload is the version just stored points at that version instead of copying it:
-- the Task's JSON (about 1.2 kB) was written twice per referral, once in resource_version and once in the
-- outbox. body stays for payloads the gateway builds (XML notifications, feedback messages) and for rows
-- written before this migration, which keep delivering as they are.
ALTER TABLE outbox_message ADD COLUMN body_res_pk bigint, ADD COLUMN body_version integer;

-- Free room on each page for the updates every message gets (claimed, delivered), so PostgreSQL can keep a
-- row's new version on its page instead of moving it to another one.
ALTER TABLE outbox_message SET (fillfactor = 70);

-- The foreign keys from a version and an access row to their resource cost a trigger and a key-share lock of
-- the resource row per version and per access row written. Both are only ever written by the store, in the
-- statement that writes the resource (or one that found it by key), so the check caught nothing.
ALTER TABLE resource_version DROP CONSTRAINT IF EXISTS resource_version_res_pk_fkey;
ALTER TABLE resource_access DROP CONSTRAINT IF EXISTS resource_access_res_pk_fkey;
