-- Access tokens, versions and soft deletes, who changed what, and the append-only history.

-- API tokens: only a hash of each token is kept; the token itself is shown once.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
    token_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE UNIQUE INDEX api_tokens_hash_idx ON api_tokens (token_hash);
-- The name is who the history says made a change: one active token a name.
CREATE UNIQUE INDEX api_tokens_active_name_idx ON api_tokens (name) WHERE revoked_at IS NULL;

-- Who made the last change of each record, and soft deletes that leave a tombstone.
ALTER TABLE committees ADD COLUMN updated_by TEXT NOT NULL DEFAULT 'system';
ALTER TABLE committees ADD COLUMN deleted_at TIMESTAMP;
ALTER TABLE meetings ADD COLUMN updated_by TEXT NOT NULL DEFAULT 'system';
ALTER TABLE meetings ADD COLUMN deleted_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN updated_by TEXT NOT NULL DEFAULT 'system';
ALTER TABLE cases ADD COLUMN deleted_at TIMESTAMP;
ALTER TABLE decisions ADD COLUMN updated_by TEXT NOT NULL DEFAULT 'system';
ALTER TABLE decisions ADD COLUMN deleted_at TIMESTAMP;
ALTER TABLE owners ADD COLUMN updated_by TEXT NOT NULL DEFAULT 'system';
ALTER TABLE owners ADD COLUMN deleted_at TIMESTAMP;
ALTER TABLE case_links ADD COLUMN created_by TEXT NOT NULL DEFAULT 'system';
ALTER TABLE case_links ADD COLUMN deleted_at TIMESTAMP;

-- Cases and decision points exempt from public access (unntatt offentlighet).
ALTER TABLE cases ADD COLUMN is_public BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE decisions ADD COLUMN is_public BOOLEAN NOT NULL DEFAULT TRUE;

-- Where a status change was reported ("done: reported to ASU in 20/24"), as JSON.
ALTER TABLE decisions ADD COLUMN status_evidence TEXT;

-- A deleted record frees its number, date, code or position for a new one.
DROP INDEX committees_code_idx;
CREATE UNIQUE INDEX committees_code_idx ON committees (code) WHERE deleted_at IS NULL;
DROP INDEX meetings_committee_date_idx;
CREATE UNIQUE INDEX meetings_committee_date_idx ON meetings (committee_id, meeting_date) WHERE deleted_at IS NULL;
DROP INDEX cases_number_idx;
CREATE UNIQUE INDEX cases_number_idx ON cases (committee_id, case_year, case_serial) WHERE deleted_at IS NULL;
DROP INDEX decisions_position_idx;
CREATE UNIQUE INDEX decisions_position_idx ON decisions (case_id, position) WHERE deleted_at IS NULL;
DROP INDEX case_links_unique_idx;
CREATE UNIQUE INDEX case_links_unique_idx
    ON case_links (source_case_id, kind, target_committee_id, target_year, target_serial, COALESCE(target_position, ''))
    WHERE deleted_at IS NULL;

-- The history: one row for every change of a record, written in the same transaction as the
-- change. `changes` is a JSON object {field: {"from": old, "to": new}}; `context_id` is the case
-- a link or decision point belongs to.
CREATE TABLE history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL CHECK (entity IN ('committee', 'meeting', 'case', 'decision', 'owner', 'link')),
    entity_id TEXT NOT NULL,
    context_id TEXT,
    version INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted')),
    actor TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    changes TEXT NOT NULL,
    note TEXT,
    evidence TEXT
);
CREATE INDEX history_entity_idx ON history (entity_id, seq);
CREATE INDEX history_context_idx ON history (context_id, seq);

-- Nothing may change or remove history, whatever writes to the database.
CREATE TRIGGER history_no_update BEFORE UPDATE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;
