-- Issue 14, delivery: claiming a message changes no indexed column, so PostgreSQL updates it in place (a HOT update).
--
-- A claim's lease was next_attempt_at, which two indexes carry (outbox_message_due, outbox_message_channel_due): every
-- claim wrote a new row version with an entry in each of the five indexes whose predicate holds for a pending message.
-- The lease now has a column of its own, in no index; next_attempt_at only ever says when a message is due (first, or
-- after a back-off). A claimed message keeps its place in the due index and is passed over while its lease runs; the
-- entries passed over are at most the messages in flight, one per delivery worker of each instance.
ALTER TABLE outbox_message ADD COLUMN leased_until timestamptz;

-- Messages in flight during the upgrade keep their lease.
UPDATE outbox_message SET leased_until = next_attempt_at WHERE claim_token IS NOT NULL;
