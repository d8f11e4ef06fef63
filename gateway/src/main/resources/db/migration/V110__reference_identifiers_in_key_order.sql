-- Issue 14, a page in the default order at scale. A search with several clauses in the default order (res_pk) is first walked
-- from one clause's index rows in res_pk order, each candidate checked on its own (SearchSql.walk). For that walk to stop at the
-- page, the clause's rows must come out of an index in res_pk order: with res_pk as the last column, an equality on the
-- other four does that. The provider's queue (owner:identifier=ODS|code) reads 21 index rows for a page instead of every
-- Task the provider owns. The same number of entries a write; the index is larger on disk, since equal keys no longer
-- share one posting list (3.4 MB to 51-84 MB at 100,000 referrals, docs/performance.md).
CREATE INDEX idx_reference_ident_pk ON idx_reference (res_type, param, ident_value, ident_system, res_pk) WHERE ident_value IS NOT NULL;
DROP INDEX idx_reference_ident;
ALTER INDEX idx_reference_ident_pk RENAME TO idx_reference_ident;
