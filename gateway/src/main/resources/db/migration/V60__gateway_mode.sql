-- Whether this database holds sandbox (demo) data or real data, recorded by the first gateway that starts on it.
-- A sandbox gateway refuses a database marked for real data, and a gateway outside sandbox mode refuses a
-- sandbox one (database.DatabaseMode).
CREATE TABLE gateway_mode (
    only_row  boolean     PRIMARY KEY DEFAULT true CHECK (only_row),
    sandbox   boolean     NOT NULL,
    marked_at timestamptz NOT NULL DEFAULT now()
);
