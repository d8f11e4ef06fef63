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

-- No statistics on state. The share of pending messages swings from none to thousands within seconds (a burst of
-- changes, a receiver that was down), far faster than autovacuum's ANALYZE follows, and delivered messages are kept
-- for days. Planned with statistics taken while everything was delivered, the claim believed one message was open
-- and compared every pending message with every other (Nested Loop Anti Join over outbox_message_channel_open): 8 s for
-- one claim with 3,000 pending, measured, which is how delivery fell behind under load. Without statistics the planner
-- uses its fixed guess for state (a small share of the table), and the claim reads the due index in order, checking
-- each key in outbox_message_key_open: 0.07 ms for the same claim. (The claim also asks for its key's first open
-- message with LIMIT 1 instead of NOT EXISTS, which keeps that check one index descent whatever the estimates.) Raising the length is a change of the catalogue
-- only (no rewrite); it is what drops the statistics already gathered (SET STATISTICS 0 alone keeps them).
ALTER TABLE outbox_message ALTER COLUMN state SET STATISTICS 0;
ALTER TABLE outbox_message ALTER COLUMN state TYPE varchar(16);
