-- Imported meeting documents. A notice's proposals become decision points with the status
-- `proposed` until the minutes adopt them.
--
-- SQLite cannot change a CHECK constraint in place, so the decisions table is rebuilt. Dropping
-- it cascades to decision_owners (with foreign keys on, as the service runs), whose rows are
-- kept aside and put back; the copy keeps every column and value.
CREATE TABLE decisions_rebuilt (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    position TEXT NOT NULL,
    position_sort INTEGER NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('orientation', 'approval', 'assignment', 'recommendation', 'postponement', 'scheduling', 'other')),
    deadline DATE,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'open', 'in_progress', 'done', 'cancelled')),
    status_note TEXT,
    -- Folded text, case title and owner names, kept by the store for the `q` filter.
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by TEXT NOT NULL DEFAULT 'system',
    deleted_at TIMESTAMP,
    is_public BOOLEAN NOT NULL DEFAULT TRUE,
    status_evidence TEXT
);
INSERT INTO decisions_rebuilt (id, case_id, position, position_sort, text, kind, deadline, status,
        status_note, search_text, created_at, updated_at, version, updated_by, deleted_at,
        is_public, status_evidence)
    SELECT id, case_id, position, position_sort, text, kind, deadline, status,
        status_note, search_text, created_at, updated_at, version, updated_by, deleted_at,
        is_public, status_evidence
    FROM decisions;
CREATE TABLE decision_owners_kept AS SELECT * FROM decision_owners;
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

-- One row for every import that changed the log: which document, by whom, and what it did.
CREATE TABLE imports (
    id TEXT PRIMARY KEY NOT NULL,
    committee_id TEXT NOT NULL REFERENCES committees (id),
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    document_kind TEXT NOT NULL CHECK (document_kind IN ('notice', 'minutes')),
    -- SHA-256 of the file as sent, hex.
    content_sha256 TEXT NOT NULL,
    -- Counts of what was created, updated, removed and kept, as JSON.
    summary TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX imports_meeting_idx ON imports (meeting_id, created_at);
CREATE INDEX imports_created_idx ON imports (created_at, id);

-- The values an import last wrote to a meeting, case or decision point. A field whose value
-- differs from them now was changed by hand, and the next import leaves it alone.
CREATE TABLE imported_values (
    entity TEXT NOT NULL CHECK (entity IN ('meeting', 'case', 'decision')),
    entity_id TEXT NOT NULL,
    import_id TEXT NOT NULL REFERENCES imports (id),
    field_values TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id)
);
