-- The audit trail (docs/security.md#audit). Each AuditEvent is also a resource in the resource store
-- (read and searched like any other); these tables hold its place in the hash chain.

-- The chain's last link: one row, locked by the writer that appends, so that every instance on this
-- database appends to one chain, one batch at a time.
CREATE TABLE audit_chain_head (
    id    smallint PRIMARY KEY CHECK (id = 1),
    seq   bigint   NOT NULL,
    hash  char(64) NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));

-- One row per chained AuditEvent: hash = sha256(prev_hash, canonical JSON of the event).
CREATE TABLE audit_event (
    seq        bigint      PRIMARY KEY,
    event_id   varchar(64) NOT NULL UNIQUE,
    res_pk     bigint      NOT NULL,
    recorded   timestamptz NOT NULL,
    prev_hash  char(64)    NOT NULL,
    hash       char(64)    NOT NULL
);

-- AuditEvents of committed writes, written in the write's own transaction (so a crash cannot lose
-- them), waiting to be chained by the next batch of any instance.
CREATE TABLE audit_pending (
    pk          bigserial   PRIMARY KEY,
    event_id    varchar(64) NOT NULL,
    content     text        NOT NULL,
    written_at  timestamptz NOT NULL DEFAULT now()
);
