-- Full-text search of decision points with SQLite's FTS5: the text, status note, case title and
-- owners of each point, as the store keeps them in decisions.search_text. unicode61 folds case
-- for æ, ø and å too, and keeps them letters of their own (no diacritics removed).
CREATE VIRTUAL TABLE decision_search USING fts5(
    decision_id UNINDEXED,
    body,
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO decision_search (decision_id, body)
    SELECT id, search_text FROM decisions WHERE deleted_at IS NULL;
