DROP INDEX decisions_search_simple_idx;
ALTER TABLE decisions DROP COLUMN search_vector_simple;
