-- Header values partners register for calls to them (Subscription.channel.header, Endpoint.header):
-- their own tokens. The resource stores 'Name: ***'; the value lives here only, AES-GCM encrypted with
-- gateway.secrets.key (security.HeaderSecretRecords), one row per header in the order given.
CREATE TABLE header_secret (
    resource_type  varchar(64)  NOT NULL,
    resource_id    varchar(64)  NOT NULL,
    position       integer      NOT NULL,
    name           varchar(200) NOT NULL,
    value          text         NOT NULL,   -- key id ':' base64(iv || ciphertext || tag)
    PRIMARY KEY (resource_type, resource_id, position)
);
