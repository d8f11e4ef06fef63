-- The durable outbox: the gateway's single outbound channel. A producer (subscription notifications
-- today; closed-loop feedback to referrers next) writes a message in the same transaction as the
-- change that caused it; delivery workers on any instance claim due messages, send them and record
-- the result. See docs/notifications.md.

CREATE TABLE outbox_message (
    -- Enqueue order. Messages with the same ordering key are delivered one at a time in id order.
    id               bigserial     PRIMARY KEY,
    -- Who the messages are for (e.g. 'Subscription/abc'): the unit of give-up, suspension, re-drive
    -- and cancellation.
    channel          varchar(200)  NOT NULL,
    -- Delivery order holds within a key (e.g. 'Subscription/abc|Task/123'); keys are independent.
    ordering_key     varchar(400)  NOT NULL,
    -- What the message is about, for operators and logs (e.g. 'Task/123/_history/4'); never patient data.
    subject          varchar(300),
    method           varchar(8)    NOT NULL,
    url              text          NOT NULL,
    -- JSON array of {"name": ..., "value": ...}: the destination's own headers (e.g. Authorization).
    headers          text          NOT NULL DEFAULT '[]',
    content_type     varchar(200),
    body             text,
    -- X-Correlation-Id of the change that caused the message; every attempt sends a new X-Request-Id.
    correlation_id   varchar(128)  NOT NULL,
    -- pending: to be delivered (now or at next_attempt_at); held: kept while its channel is suspended;
    -- failed: given up (its channel is suspended); delivered; cancelled: its channel was turned off.
    state            varchar(10)   NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'held', 'delivered', 'failed', 'cancelled')),
    attempts         integer       NOT NULL DEFAULT 0,
    created_at       timestamptz   NOT NULL DEFAULT now(),
    -- When the message may next be claimed. While an instance holds a claim this is the end of its
    -- lease: a crashed instance's claims become due again when their leases run out.
    next_attempt_at  timestamptz   NOT NULL DEFAULT now(),
    -- A message still undelivered at this time is failed and its channel suspended.
    give_up_at       timestamptz   NOT NULL,
    -- Set while an instance holds the message; results are recorded only with the matching token,
    -- so a late result from a lost lease cannot overwrite a newer claim.
    claim_token      uuid,
    claimed_by       varchar(120),
    last_attempt_at  timestamptz,
    last_status      integer,
    last_error       text,
    finished_at      timestamptz
);

-- Due messages, oldest first (the claim query).
CREATE INDEX outbox_message_due ON outbox_message (next_attempt_at, id) WHERE state = 'pending';
-- A channel's back-off: the messages due before its next attempt, and when that is.
CREATE INDEX outbox_message_channel_due ON outbox_message (channel, next_attempt_at) WHERE state = 'pending';
-- "Is there an earlier undelivered message with this key?" (per-key ordering).
CREATE INDEX outbox_message_key_open ON outbox_message (ordering_key, id) WHERE state IN ('pending', 'held', 'failed');
-- Back-off, suspension, re-drive, cancel and re-target of one channel.
CREATE INDEX outbox_message_channel_open ON outbox_message (channel) WHERE state IN ('pending', 'held', 'failed');
-- Pruning of finished messages after the retention period.
CREATE INDEX outbox_message_finished ON outbox_message (finished_at) WHERE state IN ('delivered', 'cancelled');

-- Channels whose delivery has given up: their messages are kept (held) but not claimed until the
-- channel is re-driven (or cancelled) by its owner.
CREATE TABLE outbox_suspension (
    channel       varchar(200) PRIMARY KEY,
    suspended_at  timestamptz  NOT NULL DEFAULT now(),
    reason        text         NOT NULL
);
