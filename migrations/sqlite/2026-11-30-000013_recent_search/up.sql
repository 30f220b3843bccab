-- Nothing to do on SQLite: a search ranks the most recently recorded matches by walking the
-- full-text index's own rowids from the newest (see the PostgreSQL migration of this name).
SELECT 1;
