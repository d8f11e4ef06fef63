-- BaRS requests processed, by the sender's X-Request-Id: a request id used again is a 409 (REC_CONFLICT),
-- with the same message (already processed) or another one (each request needs its own id). Written in the
-- transaction that processed the message, so a refused request leaves none; forgotten with the message
-- answers (gateway.intake.bars-message-retention).
CREATE TABLE bars_request (
    request_id   text        PRIMARY KEY,
    fingerprint  text        NOT NULL,
    bundle_id    text        NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bars_request_received ON bars_request (received_at);
