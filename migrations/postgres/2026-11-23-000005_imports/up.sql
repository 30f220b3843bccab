-- Imported meeting documents. A notice's proposals become decision points with the status
-- `proposed` until the minutes adopt them.
ALTER TABLE decisions DROP CONSTRAINT decisions_status_check;
ALTER TABLE decisions ADD CONSTRAINT decisions_status_check
    CHECK (status IN ('proposed', 'open', 'in_progress', 'done', 'cancelled'));

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
