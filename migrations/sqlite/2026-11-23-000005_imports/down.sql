DROP TABLE imported_values;
DROP TABLE imports;
-- Proposed points were never adopted; the older schema cannot hold them.
CREATE TABLE decisions_rebuilt (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    position TEXT NOT NULL,
    position_sort INTEGER NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('orientation', 'approval', 'assignment', 'recommendation', 'postponement', 'scheduling', 'other')),
    deadline DATE,
    status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    status_note TEXT,
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by TEXT NOT NULL DEFAULT 'system',
    deleted_at TIMESTAMP,
    is_public BOOLEAN NOT NULL DEFAULT TRUE,
    status_evidence TEXT
);
INSERT INTO decisions_rebuilt
    SELECT id, case_id, position, position_sort, text, kind, deadline, status,
        status_note, search_text, created_at, updated_at, version, updated_by, deleted_at,
        is_public, status_evidence
    FROM decisions WHERE status <> 'proposed';
CREATE TABLE decision_owners_kept AS
    SELECT * FROM decision_owners WHERE decision_id IN (SELECT id FROM decisions_rebuilt);
DROP TABLE decisions;
ALTER TABLE decisions_rebuilt RENAME TO decisions;
-- Emptied by the cascade when foreign keys are on; emptied here when they are off.
DELETE FROM decision_owners;
INSERT INTO decision_owners (decision_id, owner_id, responsible, ordinal)
    SELECT decision_id, owner_id, responsible, ordinal FROM decision_owners_kept;
DROP TABLE decision_owners_kept;
CREATE UNIQUE INDEX decisions_position_idx ON decisions (case_id, position) WHERE deleted_at IS NULL;
CREATE INDEX decisions_status_deadline_idx ON decisions (status, deadline);
CREATE INDEX decisions_deadline_idx ON decisions (deadline);
CREATE INDEX decisions_updated_idx ON decisions (updated_at, id);
