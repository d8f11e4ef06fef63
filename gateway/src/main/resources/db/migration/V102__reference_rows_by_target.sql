-- Issue 14, index entries no query needs. idx_reference_target (target_type, target_id) took one B-tree entry for every
-- reference of every resource written (12 per referral), for one query only: a reverse include of every reference
-- parameter (_revinclude=Provenance:*). That query now names the source type's reference parameters, so the lookup
-- index (res_type, param, target_id, target_type) answers it as it answers every other reference search and include.
DROP INDEX IF EXISTS idx_reference_target;
