-- The resource store: one head row per resource, every version's JSON, and the search index.
-- Index rows describe only the current version and are rewritten with it, in the same transaction.

CREATE SEQUENCE res_pk_seq INCREMENT BY 50;

-- Head of each resource: finds the current version without touching history.
CREATE TABLE resource (
    res_pk        bigint      PRIMARY KEY,
    res_type      varchar(64) NOT NULL,
    res_id        varchar(64) NOT NULL,
    version       integer     NOT NULL,
    last_updated  timestamptz NOT NULL,
    -- 'api' for anything written through the FHIR API, 'conformance' for resources loaded from
    -- profiles/ and mappings/ at start-up (read-only through the API).
    origin        varchar(16) NOT NULL DEFAULT 'api',
    CONSTRAINT resource_type_id UNIQUE (res_type, res_id)
);
CREATE INDEX resource_type_updated ON resource (res_type, last_updated, res_pk);

-- Every version ever written, as FHIR JSON with meta.versionId and meta.lastUpdated filled in.
CREATE TABLE resource_version (
    res_pk        bigint      NOT NULL REFERENCES resource (res_pk),
    version       integer     NOT NULL,
    last_updated  timestamptz NOT NULL,
    method        varchar(8)  NOT NULL,
    content       text        NOT NULL,
    PRIMARY KEY (res_pk, version)
);

-- Search index, one table per kind of value. res_type and param lead the lookup indexes so that a
-- search is an index range scan; res_pk indexes serve re-indexing and correlated EXISTS probes.
CREATE TABLE idx_token (
    res_pk    bigint       NOT NULL,
    res_type  varchar(64)  NOT NULL,
    param     varchar(100) NOT NULL,
    system    text,
    code      text
);
CREATE INDEX idx_token_lookup ON idx_token (res_type, param, code, system);
CREATE INDEX idx_token_pk ON idx_token (res_pk);

CREATE TABLE idx_string (
    res_pk      bigint       NOT NULL,
    res_type    varchar(64)  NOT NULL,
    param       varchar(100) NOT NULL,
    value_norm  varchar(200) NOT NULL,
    value_exact text         NOT NULL
);
CREATE INDEX idx_string_lookup ON idx_string (res_type, param, value_norm varchar_pattern_ops);
CREATE INDEX idx_string_pk ON idx_string (res_pk);

CREATE TABLE idx_reference (
    res_pk         bigint       NOT NULL,
    res_type       varchar(64)  NOT NULL,
    param          varchar(100) NOT NULL,
    target_type    varchar(64),
    target_id      varchar(64),
    target_url     text,
    ident_system   text,
    ident_value    text
);
CREATE INDEX idx_reference_lookup ON idx_reference (res_type, param, target_id, target_type);
CREATE INDEX idx_reference_target ON idx_reference (target_type, target_id);
CREATE INDEX idx_reference_ident ON idx_reference (res_type, param, ident_value, ident_system) WHERE ident_value IS NOT NULL;
CREATE INDEX idx_reference_url ON idx_reference (res_type, param, target_url) WHERE target_url IS NOT NULL;
CREATE INDEX idx_reference_pk ON idx_reference (res_pk);

CREATE TABLE idx_date (
    res_pk    bigint       NOT NULL,
    res_type  varchar(64)  NOT NULL,
    param     varchar(100) NOT NULL,
    low       timestamptz  NOT NULL,
    high      timestamptz  NOT NULL
);
CREATE INDEX idx_date_lookup ON idx_date (res_type, param, low, high);
CREATE INDEX idx_date_pk ON idx_date (res_pk);

CREATE TABLE idx_number (
    res_pk    bigint       NOT NULL,
    res_type  varchar(64)  NOT NULL,
    param     varchar(100) NOT NULL,
    value     numeric      NOT NULL
);
CREATE INDEX idx_number_lookup ON idx_number (res_type, param, value);
CREATE INDEX idx_number_pk ON idx_number (res_pk);

CREATE TABLE idx_quantity (
    res_pk    bigint       NOT NULL,
    res_type  varchar(64)  NOT NULL,
    param     varchar(100) NOT NULL,
    value     numeric      NOT NULL,
    system    text,
    code      text
);
CREATE INDEX idx_quantity_lookup ON idx_quantity (res_type, param, value);
CREATE INDEX idx_quantity_pk ON idx_quantity (res_pk);

CREATE TABLE idx_uri (
    res_pk    bigint       NOT NULL,
    res_type  varchar(64)  NOT NULL,
    param     varchar(100) NOT NULL,
    value     text         NOT NULL
);
CREATE INDEX idx_uri_lookup ON idx_uri (res_type, param, value);
CREATE INDEX idx_uri_pk ON idx_uri (res_pk);
