-- Closed-loop feedback: one row per feedback Communication, kept in the transactions that create it
-- and record its delivery, so that referrals whose referrer has not heard what happened are found
-- with one indexed query (Task/$overdue, kind feedback-undelivered).
CREATE TABLE feedback_delivery (
    communication_id  varchar(64) PRIMARY KEY,
    referral_id       varchar(64) NOT NULL,
    task_id           varchar(64) NOT NULL,
    event             varchar(64) NOT NULL,
    channel           varchar(200),            -- Endpoint/id; null when the referrer polls
    state             varchar(16) NOT NULL CHECK (state IN ('in-progress', 'completed', 'not-done')),
    created_at        timestamptz NOT NULL,
    delivered_at      timestamptz
);
CREATE INDEX feedback_delivery_open ON feedback_delivery (created_at) WHERE state <> 'completed';
CREATE INDEX feedback_delivery_referral ON feedback_delivery (referral_id);
