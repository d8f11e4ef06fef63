-- Bulk import ($import of NDJSON, docs/bulk-import.md): a job, its input files and the lines it refused.
-- Progress is a committed line count per file, advanced in the transaction that stores the lines, so a
-- restarted gateway carries on after the last committed batch and never stores a line twice.

CREATE TABLE bulk_import_job (
    job_id          text        PRIMARY KEY,
    -- Who started it, as the gateway resolved the caller (JSON: client, role, organisations, scopes): the job
    -- writes as that caller after a restart too.
    client_id       text        NOT NULL,
    caller          text        NOT NULL,
    request_id      text,
    correlation_id  text,
    -- queued, running, completed, failed, cancelled
    status          text        NOT NULL,
    created         timestamptz NOT NULL DEFAULT now(),
    finished        timestamptz,
    -- Why a job failed as a whole (an input could not be fetched), in plain words for its caller.
    failure         text
);
CREATE INDEX bulk_import_job_unfinished ON bulk_import_job (created) WHERE status IN ('queued', 'running');

CREATE TABLE bulk_import_file (
    job_id          text        NOT NULL REFERENCES bulk_import_job ON DELETE CASCADE,
    file_no         integer     NOT NULL,
    res_type        text        NOT NULL,
    url             text        NOT NULL,
    -- Known once the file has been fetched.
    total_lines     integer,
    lines_done      integer     NOT NULL DEFAULT 0,
    imported        integer     NOT NULL DEFAULT 0,
    refused         integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, file_no)
);

-- One OperationOutcome per refused line, written with the batch the line was in.
CREATE TABLE bulk_import_error (
    job_id          text        NOT NULL REFERENCES bulk_import_job ON DELETE CASCADE,
    file_no         integer     NOT NULL,
    line_no         integer     NOT NULL,
    outcome         text        NOT NULL,
    PRIMARY KEY (job_id, file_no, line_no)
);
