-- A search term matches the words it starts ("kommune" finds "kommunene"). Without a prefix
-- index FTS5 merges the entries of every such word before it answers, and bm25 merges them
-- once more for its weights: a common word at 1M points cost 125 ms ranked and 45 ms to
-- count 5,001 matches. Prefix indexes of 2 to 10 characters make each of those one list
-- (25 ms and 0.3 ms), for an index about five times as large (70 -> 370 MB at 1M points,
-- a sixth of the database). Longer terms start few words, and their merge is cheap.
-- The content table and its triggers stay as they are; the index is rebuilt from it.
DROP TABLE decision_search;
CREATE VIRTUAL TABLE decision_search USING fts5(
    body,
    content = 'decision_search_docs',
    content_rowid = 'doc',
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '2 3 4 5 6 7 8 9 10'
);
INSERT INTO decision_search (decision_search) VALUES ('rebuild');
