DROP INDEX decisions_search_idx;
ALTER TABLE decisions DROP COLUMN search_vector;
