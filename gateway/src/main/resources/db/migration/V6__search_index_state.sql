-- The search parameters each resource type's stored resources are indexed with, so that a restart with
-- added, changed or removed parameters (a SearchParameter in profiles/, a HAPI upgrade) re-indexes what
-- was stored before it (store.SearchReindexer).
CREATE TABLE search_index_state (
    res_type     varchar(64) PRIMARY KEY,
    -- One line per indexed parameter: name, type, expression, targets. NULL: not known, re-index.
    parameters   text,
    -- While a re-index runs: the parameters it indexes with, and the last res_pk it has done, so that a
    -- restart carries on where it stopped.
    reindex_to   text,
    done_through bigint
);

-- Resources stored before this table existed were indexed with parameters nobody recorded.
INSERT INTO search_index_state (res_type) SELECT DISTINCT res_type FROM resource;
