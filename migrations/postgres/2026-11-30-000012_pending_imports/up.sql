-- A document uploaded on the import page and previewed, kept until the person confirms it, so
-- that confirming does not send the file again. Only the person who uploaded it may confirm it;
-- it expires after an hour, and expired rows are deleted whenever a new one is saved.
CREATE TABLE pending_imports (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The file as uploaded (at most 20 MiB, as the API takes).
    document BYTEA NOT NULL,
    content_sha256 TEXT NOT NULL,
    -- The name of the file, as the browser sent it: shown on the preview.
    file_name TEXT NOT NULL,
    -- 'notice' or 'minutes' when the person chose; NULL reads the kind from the document.
    kind TEXT CHECK (kind IN ('notice', 'minutes')),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX pending_imports_user_idx ON pending_imports (user_id);
CREATE INDEX pending_imports_created_idx ON pending_imports (created_at);
