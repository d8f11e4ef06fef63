-- The referral lifecycle's own bookkeeping: one row per referral Task (and onward sub-Task), kept
-- current by the Task change listener in the same transaction as every Task version, so that overdue
-- work across all providers is found with indexed queries instead of reading Task histories.
-- Numbered 20 to leave room for migrations of other capabilities developed alongside.
CREATE TABLE task_workflow (
    task_id            varchar(64) PRIMARY KEY,
    referral_id        varchar(64) NOT NULL,   -- ServiceRequest id (Task.focus)
    parent_task_id     varchar(64),            -- Task.partOf: set for onward referrals
    owner              text,                   -- Task.owner: ODS code when it has one, else the reference
    patient            text,                   -- Task.for reference
    status             varchar(32) NOT NULL,
    business_status    text,                   -- latest step code
    authored_at        timestamptz NOT NULL,
    response_due       timestamptz,            -- Task.restriction.period.end (the service's response deadline)
    accepted_at        timestamptz,            -- first version with status accepted (or later)
    contacted_at       timestamptz,            -- first step that counts as contact
    onward_outcome_at  timestamptz,            -- first step an onward service reports (sub-Tasks)
    closed_at          timestamptz,            -- first terminal status
    updated_at         timestamptz NOT NULL
);
CREATE INDEX task_workflow_requested ON task_workflow (response_due) WHERE status = 'requested';
CREATE INDEX task_workflow_uncontacted ON task_workflow (accepted_at) WHERE contacted_at IS NULL AND closed_at IS NULL AND parent_task_id IS NULL;
CREATE INDEX task_workflow_onward ON task_workflow (authored_at) WHERE onward_outcome_at IS NULL AND closed_at IS NULL AND parent_task_id IS NOT NULL;
CREATE INDEX task_workflow_owner ON task_workflow (owner);
CREATE INDEX task_workflow_parent ON task_workflow (parent_task_id) WHERE parent_task_id IS NOT NULL;
