-- Referral intake: what makes intake idempotent, and what the directory seeder has written.

-- One row per referral the gateway accepted, keyed the way a sender identifies it: the referring
-- organisation (ODS code; '-' when there is none, e.g. a self-referral) and the referral's own
-- identifier. A resend finds its row and gets the first answer; a different referral under the same
-- key is a conflict. Rows are written in the same transaction as the referral, so a refused referral
-- leaves none.
CREATE TABLE referral_intake (
    referrer_key        text        NOT NULL,
    identifier_system   text        NOT NULL,
    identifier_value    text        NOT NULL,
    -- SHA-256 of the referral as sent, with references reduced to what they identify.
    fingerprint         text        NOT NULL,
    service_request_id  varchar(64) NOT NULL,
    task_id             varchar(64) NOT NULL,
    received_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (referrer_key, identifier_system, identifier_value)
);
CREATE UNIQUE INDEX referral_intake_service_request ON referral_intake (service_request_id);

-- BaRS messages answered: the same Bundle id sent again gets the stored answer.
CREATE TABLE bars_message (
    bundle_id           text        PRIMARY KEY,
    fingerprint         text        NOT NULL,
    service_request_id  varchar(64),
    response            text        NOT NULL,
    received_at         timestamptz NOT NULL DEFAULT now()
);

-- Directory resources written from seed files, and the version and content the seeder wrote, so that a
-- restart applies a changed file but never undoes an edit made through the API.
CREATE TABLE directory_seed (
    res_type        varchar(64) NOT NULL,
    res_id          varchar(64) NOT NULL,
    seeded_version  integer     NOT NULL,
    content_hash    text        NOT NULL,
    source          text        NOT NULL,
    seeded_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (res_type, res_id)
);
