-- The Norwegian configuration drops stop words ("og", "til", "i"), so a search made of them
-- alone found nothing here while SQLite's index finds them. A second vector with the `simple`
-- configuration (every word, unstemmed) serves those searches through an index of its own.
ALTER TABLE decisions ADD COLUMN search_vector_simple tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;
CREATE INDEX decisions_search_simple_idx ON decisions USING GIN (search_vector_simple);
