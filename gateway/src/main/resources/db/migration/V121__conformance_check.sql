-- Conformance resources checked at start-up, by a fingerprint of their content and the build that checked them
-- (StoredConformanceChecks): a restart with the same files and the same build does not check them again.
CREATE TABLE conformance_check (
    fingerprint text        PRIMARY KEY,
    checked     timestamptz NOT NULL DEFAULT now()
);
