-- Which organisations may see each resource (security.ResourceAccess derives them from the referral
-- graph; security.AccessPolicy turns a caller's organisations into a predicate over these rows).
-- org_key is OrganisationId.key(): 'system|value', e.g. 'https://fhir.nhs.uk/Id/ods-organization-code|A99901'.
-- Rows are only ever added: an organisation that was part of a referral keeps seeing what it saw.
CREATE TABLE resource_access (
    res_pk   bigint NOT NULL REFERENCES resource (res_pk),
    org_key  text   NOT NULL,
    PRIMARY KEY (res_pk, org_key)
);
-- The primary key answers "may these organisations see this row?" (the EXISTS probe of a read or a
-- selective search); this one lets the planner start from an organisation's rows when a search has
-- nothing more selective (a referrer listing its Tasks).
CREATE INDEX resource_access_org ON resource_access (org_key, res_pk);

-- Resources stored before this table existed get their rows at start-up (security.AccessBackfill),
-- in batches, remembering where it got to.
CREATE TABLE resource_access_backfill (
    id        integer PRIMARY KEY CHECK (id = 1),
    after_pk  bigint  NOT NULL,
    done      boolean NOT NULL
);
INSERT INTO resource_access_backfill (id, after_pk, done)
    SELECT 1, 0, NOT EXISTS (SELECT 1 FROM resource WHERE origin = 'api');
