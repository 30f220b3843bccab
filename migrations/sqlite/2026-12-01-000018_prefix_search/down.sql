DROP TABLE decision_search;
CREATE VIRTUAL TABLE decision_search USING fts5(
    body,
    content = 'decision_search_docs',
    content_rowid = 'doc',
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO decision_search (decision_search) VALUES ('rebuild');
